// SPDX-License-Identifier: MIT
#pragma once

#include "socketregistry.h"

#include <QTimer>
#include <QWidget>

#include <array>

class QLabel;

namespace SocketScope {

class PresentationClock;

// Everything known about one socket, live: its tuple, the state Qt reports beside the
// kernel's, queues, timer, owner, TCP_INFO and traffic. A tooltip is gone when the mouse
// moves; this stays on screen while the lecturer talks about the socket.
class SocketInspector : public QWidget
{
    Q_OBJECT
public:
    enum Field {
        Socket,
        Tuple,
        State,
        Owner,
        Queues,
        Timer,
        Inode,
        TcpInfo,
        Traffic,
        Lifetime,
        Activity,
        FieldCount
    };

    explicit SocketInspector(const SocketRegistry &registry, QWidget *parent = nullptr);

    // Shows this socket from now on; InvalidSocketId shows the hint to select one.
    void setSocket(SocketId id);
    SocketId socket() const { return m_id; }
    // Ages are counted on this clock (the picture's time: still while paused); until set,
    // on the wall clock. `clock` must outlive the inspector.
    void setPresentationClock(const PresentationClock &clock);
    // The text shown for a field, for tests.
    QString fieldText(Field field) const;
    static QString fieldTitle(Field field);

Q_SIGNALS:
    // The socket the window is looking at changed (selection in the diagram or table).
    void socketShown(SocketScope::SocketId id);

private:
    void refresh();
    void onRemoved(SocketId id);
    void show(const SocketRecord &record, bool gone);
    // For a socket the program has closed: the kernel-only record with its tuple (TIME_WAIT
    // is the kernel keeping that tuple on), or nullptr.
    const SocketRecord *kernelSuccessor(const SocketRecord &record) const;

    const SocketRegistry &m_registry;
    SocketId m_id = InvalidSocketId;
    std::optional<SocketRecord> m_last; // kept, so a socket that closes stays readable
    SocketId m_successor = InvalidSocketId; // kernelSuccessor() of m_last, once it is gone
    QLabel *m_hint = nullptr;
    QWidget *m_form = nullptr;
    std::array<QLabel *, FieldCount> m_values{};
    const PresentationClock *m_clock = nullptr;
    QTimer m_ageTimer; // repaints the age between registry changes; the clock says what it is
};

} // namespace SocketScope
