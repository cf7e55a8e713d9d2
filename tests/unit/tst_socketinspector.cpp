// SPDX-License-Identifier: MIT
#include "diagramscene.h"
#include "eventlog.h"
#include "mainwindow.h"
#include "pacer.h"
#include "presentationclock.h"
#include "socketinspector.h"
#include "sockettablemodel.h"

#include <QItemSelectionModel>
#include <QLocale>
#include <QScopeGuard>
#include <QTableView>
#include <QTest>

using namespace SocketScope;

namespace {

const QHostAddress kLoopback(QHostAddress::LocalHost);

SocketRecord tcpRecord(SocketRole role, quint16 local, std::optional<quint16> remote,
                       SocketState state)
{
    SocketRecord r;
    r.protocol = Protocol::Tcp;
    r.role = role;
    r.local = {kLoopback, local};
    if (remote)
        r.remote = Endpoint{kLoopback, *remote};
    r.state = state;
    r.pid = 4200;
    r.program = QStringLiteral("socketscope");
    r.created = QDateTime::currentDateTimeUtc().addSecs(-75);
    return r;
}

} // namespace

class TestSocketInspector : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_registry = std::make_unique<SocketRegistry>();
        m_inspector = std::make_unique<SocketInspector>(*m_registry);
    }
    void cleanup()
    {
        m_inspector.reset();
        m_registry.reset();
    }

    void showsNothingUntilASocketIsChosen()
    {
        QCOMPARE(m_inspector->socket(), InvalidSocketId);
        QVERIFY(m_inspector->fieldText(SocketInspector::Tuple).isEmpty());
        m_inspector->setSocket(12345); // not in the registry
        QCOMPARE(m_inspector->socket(), InvalidSocketId);
    }

    void establishedWithKernelFacts()
    {
        SocketRecord record
                = tcpRecord(SocketRole::TcpServerSide, 9877, 51234, SocketState::Established);
        record.threadId = 4213;
        KernelFacts facts;
        facts.state = SocketState::Established;
        facts.recvQ = 5;
        facts.sendQ = 7;
        facts.inode = 753019;
        facts.pid = 4200;
        facts.tcpInfo = KernelTcpInfo{42, 21, 3, 1, 10};
        record.kernel = facts;
        record.bytesSent = 12;
        const SocketId id = m_registry->add(record);
        m_inspector->setSocket(id);

        QCOMPARE(m_inspector->fieldText(SocketInspector::Tuple),
                 QStringLiteral("{127.0.0.1:9877, 127.0.0.1:51234}"));
        QVERIFY(m_inspector->fieldText(SocketInspector::Socket)
                        .contains(QStringLiteral("#%1 TCP").arg(id)));
        QCOMPARE(m_inspector->fieldText(SocketInspector::State),
                 QStringLiteral("ESTABLISHED (the kernel and Qt agree)"));
        QCOMPARE(m_inspector->fieldText(SocketInspector::Owner),
                 QStringLiteral("pid 4200 · socketscope · thread 4213"));
        QVERIFY(m_inspector->fieldText(SocketInspector::Queues)
                        .startsWith(QStringLiteral("Recv-Q 5 bytes not yet read · Send-Q 7")));
        QCOMPARE(m_inspector->fieldText(SocketInspector::Inode), QStringLiteral("753019"));
        QCOMPARE(m_inspector->fieldText(SocketInspector::TcpInfo),
                 QStringLiteral("RTT 0.042 ms ± 0.021 · 3 retransmitted · 1 "
                                "unacknowledged · congestion window 10 segments"));
        QVERIFY(m_inspector->fieldText(SocketInspector::Lifetime)
                        .contains(QStringLiteral("age 1m 15s")));

        // Live: a change to the record shows at once.
        m_registry->update(id, [](SocketRecord &r) {
            r.bytesSent = 2048;
            r.kernel->state = SocketState::FinWait2;
            r.state = SocketState::Closing;
        });
        const QString twoKilobytes
                = QLocale::system().formattedDataSize(2048, 1, QLocale::DataSizeTraditionalFormat);
        QVERIFY2(m_inspector->fieldText(SocketInspector::Traffic)
                         .startsWith(QStringLiteral("sent ") + twoKilobytes),
                 qPrintable(m_inspector->fieldText(SocketInspector::Traffic)));
        QCOMPARE(m_inspector->fieldText(SocketInspector::State),
                 QStringLiteral("FIN_WAIT2 in the kernel · CLOSING as Qt reports it"));
    }

    void listenerQueueAndTimeWait()
    {
        SocketRecord listener
                = tcpRecord(SocketRole::TcpListener, 9877, std::nullopt, SocketState::Listen);
        listener.kernel = KernelFacts{SocketState::Listen, 3, 50, 1, 4200, -1, {}, {}, {}};
        const SocketId listenerId = m_registry->add(listener);
        m_inspector->setSocket(listenerId);
        QCOMPARE(m_inspector->fieldText(SocketInspector::Queues),
                 QStringLiteral("3 connections completed, waiting for accept() · backlog 50"));
        QCOMPARE(m_inspector->fieldText(SocketInspector::Tuple),
                 QStringLiteral("{127.0.0.1:9877, *:*}"));
        QCOMPARE(m_inspector->fieldText(SocketInspector::Timer), QStringLiteral("none running"));

        SocketRecord timeWait = tcpRecord(SocketRole::TcpClient, 51234, 9877, SocketState::Close);
        timeWait.kernelOnly = true;
        timeWait.pid = 0;
        timeWait.program.clear();
        timeWait.kernel = KernelFacts{SocketState::TimeWait, 0, 0, 0, 0, 56456, {}, {}, {}};
        m_inspector->setSocket(m_registry->add(timeWait));
        QCOMPARE(m_inspector->fieldText(SocketInspector::Timer),
                 QStringLiteral("TIME_WAIT ends in 56.5 s"));
        QCOMPARE(m_inspector->fieldText(SocketInspector::State),
                 QStringLiteral("TIME_WAIT in the kernel; no program holds it"));
        QCOMPARE(m_inspector->fieldText(SocketInspector::Owner),
                 QStringLiteral("no process (only the kernel holds it)"));
        QVERIFY(m_inspector->fieldText(SocketInspector::Inode).startsWith(QLatin1String("0:")));
        QVERIFY(m_inspector->fieldText(SocketInspector::Socket)
                        .endsWith(
                                QLatin1String("left in TIME_WAIT by the side that closed first")));

        // Completed by the kernel, not accepted yet: no program holds it.
        SocketRecord waiting
                = tcpRecord(SocketRole::TcpServerSide, 9877, 51236, SocketState::Established);
        waiting.kernelOnly = true;
        waiting.kernel = KernelFacts{SocketState::Established, 0, 0, 0, 0, -1, {}, {}, {}};
        m_inspector->setSocket(m_registry->add(waiting));
        QVERIFY(m_inspector->fieldText(SocketInspector::Socket)
                        .contains(QLatin1String("waiting in the listener's accept queue")));
    }

    void udpHasNoState()
    {
        SocketRecord udp;
        udp.protocol = Protocol::Udp;
        udp.role = SocketRole::UdpServer;
        udp.local = {kLoopback, 9877};
        udp.state = SocketState::Unconnected;
        udp.pid = 4200;
        udp.created = QDateTime::currentDateTimeUtc();
        udp.datagramsReceived = 4;
        const SocketId id = m_registry->add(udp);
        m_inspector->setSocket(id);
        QVERIFY(m_inspector->fieldText(SocketInspector::State).startsWith(QLatin1String("none")));
        QVERIFY2(m_inspector->fieldText(SocketInspector::Traffic)
                         .contains(QStringLiteral("0 datagrams sent · 4 received")),
                 qPrintable(m_inspector->fieldText(SocketInspector::Traffic)));
        QCOMPARE(m_inspector->fieldText(SocketInspector::TcpInfo), QStringLiteral("not for UDP"));
        QCOMPARE(m_inspector->fieldText(SocketInspector::Queues), QStringLiteral("not read yet"));
    }

    void udpRecvQIsKernelMemory()
    {
        SocketRecord udp;
        udp.protocol = Protocol::Udp;
        udp.role = SocketRole::UdpServer;
        udp.local = {kLoopback, 9877};
        udp.state = SocketState::Unconnected;
        udp.kernel = KernelFacts{SocketState::Unconnected, 2496, 0, 1, 4200, -1, {}, {}, {}};
        m_inspector->setSocket(m_registry->add(udp));
        const QString udpQueues = m_inspector->fieldText(SocketInspector::Queues);
        QVERIFY2(udpQueues.startsWith(QLatin1String("Recv-Q 2496 B of kernel memory")),
                 qPrintable(udpQueues));
        QVERIFY2(udpQueues.contains(QLatin1String("not payload")), qPrintable(udpQueues));
        // TCP's Recv-Q is payload bytes, and says so, without the UDP caveat.
        SocketRecord tcp = tcpRecord(SocketRole::TcpClient, 51234, 9877, SocketState::Established);
        tcp.kernel = KernelFacts{SocketState::Established, 5, 0, 1, 4200, -1, {}, {}, {}};
        m_inspector->setSocket(m_registry->add(tcp));
        const QString tcpQueues = m_inspector->fieldText(SocketInspector::Queues);
        QVERIFY2(!tcpQueues.contains(QLatin1String("kernel memory")), qPrintable(tcpQueues));
        QVERIFY(tcpQueues.startsWith(QLatin1String("Recv-Q 5 bytes not yet read")));
    }

    // Where there is no kernel view at all (a build without the probe), a missing kernel fact
    // is not "not read yet": it never will be, and the inspector says so.
    void withoutAKernelViewFactsAreNotAvailable()
    {
        const SocketId id = m_registry->add(
                tcpRecord(SocketRole::TcpServerSide, 9877, 50001, SocketState::Established));
        setKernelViewAvailable(false);
        m_inspector->setSocket(id);
        const QString queues = m_inspector->fieldText(SocketInspector::Queues);
        const QString state = m_inspector->fieldText(SocketInspector::State);
        const QString inode = m_inspector->fieldText(SocketInspector::Inode);
        setKernelViewAvailable(true);
        QCOMPARE(queues, QStringLiteral("not available (no kernel view here)"));
        QCOMPARE(inode, QStringLiteral("not available (no kernel view here)"));
        QVERIFY2(state.contains(QLatin1String("no kernel view here")), qPrintable(state));
        m_inspector->setSocket(InvalidSocketId);
        m_inspector->setSocket(id);
        QCOMPARE(m_inspector->fieldText(SocketInspector::Queues), QStringLiteral("not read yet"));
    }

    void aClosedSocketStaysReadable()
    {
        const SocketId id = m_registry->add(
                tcpRecord(SocketRole::TcpClient, 51234, 9877, SocketState::Established));
        m_inspector->setSocket(id);
        QVERIFY(m_registry->remove(id));
        QCOMPARE(m_inspector->socket(), id);
        QCOMPARE(m_inspector->fieldText(SocketInspector::Tuple),
                 QStringLiteral("{127.0.0.1:51234, 127.0.0.1:9877}"));
        QVERIFY(m_inspector->fieldText(SocketInspector::Lifetime).contains(QLatin1String("gone")));
    }

    // The client closed first: the program's socket is gone, but the kernel keeps its tuple
    // in TIME_WAIT (a kernel-only record, matched by the tuple). That is what is said.
    void aClosedSocketWhoseTupleWaitsInTimeWait()
    {
        const bool hadKernelView = isKernelViewAvailable();
        const auto restore
                = qScopeGuard([hadKernelView] { setKernelViewAvailable(hadKernelView); });
        setKernelViewAvailable(true);
        const SocketId id = m_registry->add(
                tcpRecord(SocketRole::TcpClient, 51234, 9877, SocketState::Established));
        m_inspector->setSocket(id);
        QVERIFY(m_registry->remove(id));
        // The kernel's view comes a poll later than the close.
        SocketRecord timeWait = tcpRecord(SocketRole::TcpClient, 51234, 9877, SocketState::Close);
        timeWait.kernelOnly = true;
        timeWait.pid = 0;
        timeWait.kernel = KernelFacts{SocketState::TimeWait, 0, 0, 0, 0, 41200, {}, {}, {}};
        const SocketId kernelId = m_registry->add(timeWait);
        const QString lifetime = m_inspector->fieldText(SocketInspector::Lifetime);
        QVERIFY2(!lifetime.contains(QLatin1String("neither")), qPrintable(lifetime));
        QVERIFY2(lifetime.contains(QStringLiteral("closed by the program; the kernel keeps its "
                                                  "tuple in TIME_WAIT for 42 s more (socket #%1)")
                                           .arg(kernelId)),
                 qPrintable(lifetime));
        QCOMPARE(m_inspector->fieldText(SocketInspector::State),
                 QStringLiteral("TIME_WAIT in the kernel; the program closed it"));
        QCOMPARE(m_inspector->fieldText(SocketInspector::Timer),
                 QStringLiteral("TIME_WAIT ends in 41.2 s"));
        // The kernel's countdown goes on, and so does the text.
        m_registry->update(kernelId, [](SocketRecord &r) { r.kernel->timerMs = 20000; });
        QVERIFY(m_inspector->fieldText(SocketInspector::Lifetime)
                        .contains(QLatin1String("TIME_WAIT for 20 s more")));
        // TIME_WAIT over: now neither has it.
        QVERIFY(m_registry->remove(kernelId));
        QVERIFY(m_inspector->fieldText(SocketInspector::Lifetime)
                        .contains(QLatin1String("neither the program nor the kernel")));
    }

    // The age is the picture's: it stands still while the picture is paused, and is the
    // real one again back live. Real time is the test's own.
    void ageFollowsThePresentationClock()
    {
        constexpr qint64 second = 1'000'000'000;
        qint64 realNs = 50 * second;
        SocketRegistry journalled;
        SocketRegistry presented;
        EventJournal journal(journalled, nullptr);
        Pacer pacer(journal, presented);
        PresentationClock clock([&realNs] { return realNs; }, &pacer);
        SocketInspector inspector(*m_registry);
        inspector.setPresentationClock(clock);
        SocketRecord record
                = tcpRecord(SocketRole::TcpClient, 51234, 9877, SocketState::Established);
        record.created = clock.wallTime().addSecs(-75);
        const SocketId id = m_registry->add(record);
        inspector.setSocket(id);
        const auto lifetime
                = [&inspector] { return inspector.fieldText(SocketInspector::Lifetime); };
        QVERIFY2(lifetime().contains(QStringLiteral("age 1m 15s")), qPrintable(lifetime()));

        pacer.pause();
        realNs += 120 * second;
        m_registry->update(id, [](SocketRecord &r) { r.bytesSent = 2; });
        // Two minutes on the test's clock, none in the picture.
        QVERIFY2(lifetime().contains(QStringLiteral("age 1m 15s")), qPrintable(lifetime()));

        pacer.goLive(); // the inspector refreshes when the clock changes speed
        QVERIFY2(lifetime().contains(QStringLiteral("age 3m 15s")), qPrintable(lifetime()));
        pacer.setSlowMotion(0.5, realNs);
        realNs += 120 * second; // one minute of the picture's time
        m_registry->update(id, [](SocketRecord &r) { r.bytesSent = 3; });
        QVERIFY2(lifetime().contains(QStringLiteral("age 4m 15s")), qPrintable(lifetime()));
    }

    // The window's selection, in the diagram or the table, is what the inspector shows.
    void followsTheWindowsSelection()
    {
        EventLog log;
        MainWindow window(*m_registry, log);
        const SocketId listener = m_registry->add(
                tcpRecord(SocketRole::TcpListener, 9877, std::nullopt, SocketState::Listen));
        const SocketId client = m_registry->add(
                tcpRecord(SocketRole::TcpClient, 51234, 9877, SocketState::Established));
        QCoreApplication::processEvents(); // the batch is over: the table has its rows
        window.diagramScene()->flush();
        window.diagramScene()->selectSocket(client);
        QCOMPARE(window.socketInspector()->socket(), client);

        QTableView *table = window.socketTable();
        for (int row = 0; row < table->model()->rowCount(); ++row) {
            const QModelIndex index = table->model()->index(row, 0);
            if (index.data(SocketTableModel::SocketIdRole).value<SocketId>() == listener)
                table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect
                                                               | QItemSelectionModel::Rows);
        }
        QCOMPARE(window.socketInspector()->socket(), listener);
        QCOMPARE(window.socketInspector()->fieldText(SocketInspector::Tuple),
                 QStringLiteral("{127.0.0.1:9877, *:*}"));
    }

private:
    std::unique_ptr<SocketRegistry> m_registry;
    std::unique_ptr<SocketInspector> m_inspector;
};

QTEST_MAIN(TestSocketInspector)
#include "tst_socketinspector.moc"
