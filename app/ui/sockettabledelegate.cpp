// SPDX-License-Identifier: MIT
#include "sockettabledelegate.h"

#include "sockettablemodel.h"

namespace SocketScope {

void SocketTableDelegate::initStyleOption(QStyleOptionViewItem *option,
                                          const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    using Highlight = SocketTableModel::Highlight;
    // Okabe-Ito colours, translucent so the text keeps its contrast in light and dark themes.
    switch (static_cast<Highlight>(index.data(SocketTableModel::HighlightRole).toInt())) {
    case Highlight::New:
        option->backgroundBrush = QColor(0x00, 0x9E, 0x73, 90);
        break;
    case Highlight::Changed:
        option->backgroundBrush = QColor(0xF0, 0xE4, 0x42, 120);
        break;
    case Highlight::Closing:
        option->backgroundBrush = QColor(0xD5, 0x5E, 0x00, 60);
        break;
    case Highlight::None:
        break;
    }
    if (index.data(SocketTableModel::KernelOnlyRole).toBool())
        option->font.setItalic(true);
}

} // namespace SocketScope
