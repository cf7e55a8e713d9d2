// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

struct msghdr;

namespace SocketScope::WorkerProtocol {

// The conversation between the app and a worker process it started for one client, over a
// Unix stream socket pair. The first message carries the accepted TCP socket as SCM_RIGHTS
// ancillary data; after that both sides speak lines of ASCII: a verb and at most two
// arguments, binary payloads in base64. Lines make the protocol readable in strace and
// easy to check: anything that does not parse ends the conversation, it is never guessed at.

// Where the child finds its end of the pair (the parent dup2()s it there before exec).
inline constexpr int ControlDescriptor = 3;
// A user may send 1 MiB of text; in base64 with the verb that stays under this.
inline constexpr qsizetype MaxLineBytes = qsizetype{2} * 1024 * 1024;

enum class Verb {
    // parent -> child
    Serve, // serve <behaviour>: the first line, sent with the descriptor
    Send, // send <base64>
    HalfClose, // half-close
    Close, // close
    Abort, // abort
    StartPeriodic, // periodic <ms> <base64>
    StopPeriodic, // stop-periodic
    // child -> parent
    Received, // rx <bytes>: bytes read from the client
    Sent, // tx <bytes>: bytes handed to the kernel for the client
    Closed, // closed <how> [base64 text]: the socket is gone, the child exits next
    Stalled, // stalled <0|1>: reading paused because the client does not read, or resumed
};

// How the client's socket ended, as the child saw it.
enum class CloseReason {
    PeerClosed, // peer-fin
    PeerReset, // peer-rst
    ClosedByUs, // local-fin
    AbortedByUs, // local-rst
    Failed, // error
};

struct Message
{
    Verb verb = Verb::Close;
    qint64 number = 0; // rx/tx byte count, periodic interval
    QByteArray data; // send/periodic payload; closed: detail text (UTF-8)
    QString behaviour; // serve
    CloseReason reason = CloseReason::ClosedByUs; // closed
};

QByteArray encode(const Message &message); // one line, '\n' included
// Parses one line without its '\n'. Unknown verbs, wrong argument counts, numbers out of
// range and bad base64 are all rejected with *error saying which.
std::optional<Message> decode(QByteArrayView line, QString *error = nullptr);

QString closeReasonName(CloseReason reason);

// Who may send a verb: commands go from the app to a worker (serve only as the first line,
// with the descriptor), reports from a worker to the app. A verb from the wrong side is
// as broken as a malformed line.
bool isCommand(Verb verb);
bool isReport(Verb verb);

// Cuts a byte stream into lines. A line longer than MaxLineBytes poisons the framer: the
// peer is broken or hostile, and the caller drops the conversation.
class LineFramer
{
public:
    // False once overflowed.
    bool append(QByteArrayView bytes);
    // The next complete line without its '\n', or nullopt.
    std::optional<QByteArray> takeLine();
    bool overflowed() const { return m_overflowed; }
    qsizetype buffered() const { return m_buffer.size(); }

private:
    QByteArray m_buffer;
    qsizetype m_scanned = 0; // bytes known to hold no '\n'
    bool m_overflowed = false;
};

// Sends `payload` (at least one byte) with `descriptor` attached. The receiver gets its
// own reference to the socket; the caller may close its copy as soon as this returns true.
bool sendDescriptor(int channel, int descriptor, QByteArrayView payload, QString *error);

struct ReceivedDescriptor
{
    int descriptor = -1;
    QByteArray payload; // the bytes that came with it (the serve line, maybe more)
};

// Waits at most `timeoutMs` for the message that carries the descriptor. Exactly one
// descriptor must come; any other shape is refused and every descriptor received closed.
std::optional<ReceivedDescriptor> receiveDescriptor(int channel, int timeoutMs, QString *error);

// The check receiveDescriptor() applies to recvmsg()'s result, kept apart so tests can feed
// it any ancillary data. Returns the one descriptor, or nullopt after closing all it found.
std::optional<int> takeSingleDescriptor(const msghdr &message, QString *error);

// What ancillary data (msg_control, msg_controllen bytes of it) holds: the descriptors in its
// SCM_RIGHTS messages, and whether it is well-formed (nothing truncated, lengths that fit,
// no other kind of message). Pure: it reads nothing outside `control` and closes nothing;
// the caller owns (and must close) every descriptor listed.
struct ControlScan
{
    QList<int> descriptors;
    bool wellFormed = true;
    QString error; // why not well-formed
};
ControlScan scanControl(QByteArrayView control, bool truncated);

} // namespace SocketScope::WorkerProtocol

Q_DECLARE_METATYPE(SocketScope::WorkerProtocol::CloseReason)
Q_DECLARE_METATYPE(SocketScope::WorkerProtocol::Message)
