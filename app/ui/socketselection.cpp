// SPDX-License-Identifier: MIT
#include "socketselection.h"

namespace SocketScope {

void SocketSelection::select(const QList<SocketId> &ids)
{
    if (ids == m_selected)
        return;
    m_selected = ids;
    // The detail views first, then the other list: the order the window always kept.
    if (!ids.isEmpty())
        setCurrent(ids.constFirst());
    Q_EMIT selectionChanged(m_selected);
}

void SocketSelection::setCurrent(SocketId id)
{
    if (id == m_current)
        return;
    m_current = id;
    Q_EMIT currentChanged(id);
}

} // namespace SocketScope
