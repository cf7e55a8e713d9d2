// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>

class QAbstractItemModel;

namespace SocketScope {

// Turns what a table shows into text for the clipboard or a file: CSV (RFC 4180) for
// spreadsheets and scripts, or aligned columns like netstat for a terminal or slides.
// Rows are the model's rows, in view order; an empty list means every row.
class TableExporter
{
public:
    static QString toCsv(const QAbstractItemModel &model, const QList<int> &rows = {});
    static QString toText(const QAbstractItemModel &model, const QList<int> &rows = {});
};

} // namespace SocketScope
