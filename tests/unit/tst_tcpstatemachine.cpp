// SPDX-License-Identifier: MIT
// The TCP state machine view: a client's path through the states from the journal (Qt's and
// the kernel's, TIME_WAIT carried on by the kernel's record of the same tuple), the state lit
// at the moment the window shows, and UDP's plain note.

#include "pacer.h"
#include "socketregistry.h"
#include "tcpstatemachineview.h"

#include <QImage>
#include <QTest>

using namespace SocketScope;

namespace {

const QHostAddress kLocal(QHostAddress::LocalHost);

SocketRecord client()
{
    SocketRecord record;
    record.role = SocketRole::TcpClient;
    record.local = {kLocal, 40001};
    record.remote = Endpoint{kLocal, 9877};
    record.state = SocketState::SynSent;
    return record;
}

KernelFacts kernelIn(SocketState state)
{
    KernelFacts facts;
    facts.state = state;
    return facts;
}

QList<SocketState> statesOf(const QList<StatePathStep> &path)
{
    QList<SocketState> states;
    for (const StatePathStep &step : path)
        states.append(step.state);
    return states;
}

} // namespace

class TestTcpStateMachine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void activeCloserPathEndsInTimeWait()
    {
        SocketRegistry live, presented;
        EventJournal journal(live, nullptr);
        Pacer pacer(journal, presented);
        const SocketId id = live.add(client());
        live.update(id, [](SocketRecord &r) { r.state = SocketState::Established; });
        const quint64 established = journal.lastSeq();
        live.update(id, [](SocketRecord &r) { r.kernel = kernelIn(SocketState::FinWait1); });
        live.update(id, [](SocketRecord &r) { r.kernel = kernelIn(SocketState::FinWait2); });
        live.markClosed(id);
        live.update(id, [](SocketRecord &r) { r.kernel.reset(); });
        live.remove(id);
        SocketRecord timeWait = client();
        timeWait.kernelOnly = true;
        timeWait.kernel = kernelIn(SocketState::TimeWait);
        live.add(timeWait);

        const QList<StatePathStep> path = statePathOf(journal, id, journal.lastSeq());
        QCOMPARE(statesOf(path), (QList<SocketState>{SocketState::SynSent, SocketState::Established,
                                                     SocketState::FinWait1, SocketState::FinWait2,
                                                     SocketState::TimeWait}));
        QCOMPARE(path.at(1).source, StateSource::Qt);
        QCOMPARE(path.at(2).source, StateSource::KernelPoll);
        QCOMPARE(path.at(4).source, StateSource::KernelPoll);

        TcpStateMachineView view(journal, presented, &pacer);
        view.setSocket(id);
        QCOMPARE(view.path().size(), 5);
        QVERIFY(view.note().contains(QStringLiteral("polls")));
        // At the moment after ESTABLISHED, that is what is lit and how far the path goes.
        QVERIFY(pacer.seek(established));
        QCOMPARE(view.litState(), SocketState::Established);
        QCOMPARE(statesOf(view.path()),
                 (QList<SocketState>{SocketState::SynSent, SocketState::Established}));
        view.resize(640, 360);
        QImage image(view.size(), QImage::Format_ARGB32);
        view.render(&image);
        // The lit box wears ESTABLISHED's colour.
        bool found = false;
        for (int y = 0; y < image.height() && !found; ++y)
            for (int x = 0; x < image.width() && !found; ++x)
                found = image.pixel(x, y) == qRgb(0x00, 0x9E, 0x73);
        QVERIFY(found);
    }

    // The kernel's trace is read after Qt has already said ESTABLISHED: its earlier steps are
    // history (the socket's state does not go back), yet the path shows them, in the order
    // they happened, timed by the kernel, and marked exact.
    void tracedStepsAreExactAndInTheOrderTheyHappened()
    {
        SocketRegistry live, presented;
        qint64 nowNs = 1000;
        live.setClock([&nowNs] { return EventTime{nowNs, QDateTime::currentDateTimeUtc()}; });
        EventJournal journal(live, nullptr);
        Pacer pacer(journal, presented);
        QList<SocketState> shown;
        connect(&live, &SocketRegistry::eventApplied, this, [&](const SocketEvent &event) {
            if (const SocketRecord *record = live.find(event.socket))
                shown.append(record->effectiveState());
        });
        const SocketId id = live.add(client()); // SYN_SENT at 1000 (Qt)
        nowNs = 5000;
        live.update(id, [](SocketRecord &r) { r.state = SocketState::Established; });
        const auto traced = [&](SocketState from, SocketState to, qint64 atNs, bool history) {
            SocketEvent event = eventAbout(*live.find(id), EventKind::StateChanged);
            event.from = from;
            event.to = to;
            event.source = StateSource::KernelTrace;
            event.history = history;
            event.monotonicNs = atNs;
            event.wallTime = QDateTime::currentDateTimeUtc();
            QVERIFY(live.apply(event));
        };
        traced(SocketState::Close, SocketState::SynSent, 2000, true);
        traced(SocketState::SynSent, SocketState::Established, 3000, true);
        traced(SocketState::Established, SocketState::FinWait1, 6000, false);
        traced(SocketState::FinWait1, SocketState::FinWait2, 7000, false);

        QCOMPARE(shown, (QList<SocketState>{SocketState::SynSent, SocketState::Established,
                                            SocketState::Established, SocketState::Established,
                                            SocketState::FinWait1, SocketState::FinWait2}));
        const QList<StatePathStep> path = statePathOf(journal, id, journal.lastSeq());
        QCOMPARE(statesOf(path),
                 (QList<SocketState>{SocketState::SynSent, SocketState::Established,
                                     SocketState::FinWait1, SocketState::FinWait2}));
        for (const StatePathStep &step : path)
            QCOMPARE(step.source, StateSource::KernelTrace);
        QCOMPARE(path.at(0).monotonicNs, 2000);
        QCOMPARE(path.at(1).monotonicNs, 3000);

        TcpStateMachineView view(journal, presented, &pacer);
        view.setSocket(id);
        view.setExactTransitions(false, QStringLiteral("Exact transitions need root."));
        QVERIFY(view.note().contains(QStringLiteral("polls")));
        QVERIFY(view.note().contains(QStringLiteral("need root")));
        view.setExactTransitions(true, {});
        QVERIFY2(view.note().startsWith(QStringLiteral("Exact")), qPrintable(view.note()));
    }

    void udpHasNoStateMachine()
    {
        SocketRegistry live, presented;
        EventJournal journal(live, nullptr);
        Pacer pacer(journal, presented);
        SocketRecord udp;
        udp.protocol = Protocol::Udp;
        udp.role = SocketRole::UdpServer;
        udp.local = {kLocal, 9877};
        udp.state = SocketState::Unconnected;
        const SocketId id = live.add(udp);
        TcpStateMachineView view(journal, presented, &pacer);
        view.setSocket(id);
        QVERIFY(view.note().startsWith(QStringLiteral("UDP has no state machine")));
        QVERIFY(view.path().isEmpty());
        view.setSocket(InvalidSocketId);
        QVERIFY(view.note().startsWith(QStringLiteral("Select a TCP socket")));
    }
};

QTEST_MAIN(TestTcpStateMachine)
#include "tst_tcpstatemachine.moc"
