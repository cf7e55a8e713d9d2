// SPDX-License-Identifier: MIT
#include "tableexporter.h"

#include <QAbstractItemModel>
#include <QStringList>

namespace SocketScope {

namespace {

QList<int> rowsOrAll(const QAbstractItemModel &model, const QList<int> &rows)
{
    if (!rows.isEmpty())
        return rows;
    QList<int> all;
    all.reserve(model.rowCount());
    for (int row = 0; row < model.rowCount(); ++row)
        all.append(row);
    return all;
}

QList<QStringList> cells(const QAbstractItemModel &model, const QList<int> &rows)
{
    QList<QStringList> table;
    QStringList header;
    for (int column = 0; column < model.columnCount(); ++column)
        header << model.headerData(column, Qt::Horizontal).toString();
    table << header;
    for (int row : rowsOrAll(model, rows)) {
        QStringList line;
        for (int column = 0; column < model.columnCount(); ++column)
            line << model.index(row, column).data().toString();
        table << line;
    }
    return table;
}

QString csvField(const QString &field)
{
    if (!field.contains(QLatin1Char(',')) && !field.contains(QLatin1Char('"'))
        && !field.contains(QLatin1Char('\n')) && !field.contains(QLatin1Char('\r')))
        return field;
    QString quoted = field;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace

QString TableExporter::toCsv(const QAbstractItemModel &model, const QList<int> &rows)
{
    QString out;
    for (const QStringList &line : cells(model, rows)) {
        QStringList fields;
        for (const QString &field : line)
            fields << csvField(field);
        out += fields.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    }
    return out;
}

QString TableExporter::toText(const QAbstractItemModel &model, const QList<int> &rows)
{
    const QList<QStringList> table = cells(model, rows);
    QList<qsizetype> widths(model.columnCount(), 0);
    for (const QStringList &line : table) {
        for (qsizetype column = 0; column < line.size(); ++column)
            widths[column] = qMax(widths[column], line.at(column).size());
    }
    QString out;
    for (const QStringList &line : table) {
        QString text;
        for (qsizetype column = 0; column < line.size(); ++column) {
            const bool last = column + 1 == line.size();
            text += last ? line.at(column) : line.at(column).leftJustified(widths[column] + 2);
        }
        out += text.trimmed() + QLatin1Char('\n');
    }
    return out;
}

} // namespace SocketScope
