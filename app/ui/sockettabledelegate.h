// SPDX-License-Identifier: MIT
#pragma once

#include <QStyledItemDelegate>

namespace SocketScope {

// Paints the table's row highlights (new, changed, closing) and marks kernel-only rows,
// from the model's roles, so the model stays free of colours and fonts.
class SocketTableDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace SocketScope
