// SPDX-License-Identifier: MIT
// The system-call lanes: the calls that made and used a socket, derived from the journal's
// events about it (listen, connect, traffic, the FIN and RST and the call that sent them),
// the latest lit at the moment the window shows, and repainted when that moment moves.

#include "eventlog.h"
#include "networkengine.h"
#include "pacer.h"
#include "socketregistry.h"
#include "systemcalllanes.h"

#include <QScreen>
#include <QTest>

using namespace SocketScope;

namespace {

const QHostAddress kLocal(QHostAddress::LocalHost);

SocketRecord recordOf(SocketRole role, Protocol protocol, quint16 port,
                      std::optional<quint16> remotePort = std::nullopt)
{
    SocketRecord record;
    record.role = role;
    record.protocol = protocol;
    record.local = {kLocal, port};
    if (remotePort)
        record.remote = Endpoint{kLocal, *remotePort};
    return record;
}

QStringList callsOf(const QList<SystemCallLane> &lanes)
{
    QStringList calls;
    for (const SystemCallLane &lane : lanes)
        calls << lane.call;
    return calls;
}

const SystemCallLane *laneOf(const QList<SystemCallLane> &lanes, const QString &call)
{
    for (const SystemCallLane &lane : lanes)
        if (lane.call == call)
            return &lane;
    return nullptr;
}

// What the view put on screen (its window's backing store), not a fresh render of it.
QImage onScreen(const QWidget &view)
{
    return view.screen()->grabWindow(view.winId()).toImage().convertToFormat(QImage::Format_RGB32);
}

QImage rendered(QWidget &view)
{
    return view.grab().toImage().convertToFormat(QImage::Format_RGB32);
}

} // namespace

class TestSystemCallLanes : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void listenerIsSocketBindListen()
    {
        SocketRegistry live;
        EventJournal journal(live, nullptr);
        const SocketId id = live.add(recordOf(SocketRole::TcpListener, Protocol::Tcp, 9877));
        live.markClosed(id);
        const QList<SystemCallLane> lanes = systemCallLanesOf(journal, id, journal.lastSeq());
        QCOMPARE(callsOf(lanes),
                 (QStringList{QStringLiteral("socket(SOCK_STREAM)"), QStringLiteral("bind()"),
                              QStringLiteral("listen()"), QStringLiteral("close()")}));
        QCOMPARE(lanes.at(2).qtCall, QStringLiteral("QTcpServer::listen()"));
    }

    void clientThatHalfClosesThenCloses()
    {
        SocketRegistry live, presented;
        EventJournal journal(live, nullptr);
        Pacer pacer(journal, presented);
        const SocketId id = live.add(recordOf(SocketRole::TcpClient, Protocol::Tcp, 40001, 9877));
        const Endpoint server{kLocal, 9877};
        for (int i = 0; i < 3; ++i)
            live.recordTraffic(id, TrafficDirection::Sent, 10, server, false);
        const quint64 afterWrites = journal.lastSeq();
        live.recordSegment(id, EventKind::FinSent, QLatin1String(SegmentCall::Shutdown));
        live.recordTraffic(id, TrafficDirection::Received, 30, server, false);
        live.recordSegment(id, EventKind::FinReceived);
        live.recordSegment(id, EventKind::FinSent, QLatin1String(SegmentCall::Close));
        live.markClosed(id);

        const QList<SystemCallLane> lanes = systemCallLanesOf(journal, id, journal.lastSeq());
        QCOMPARE(callsOf(lanes),
                 (QStringList{QStringLiteral("socket(SOCK_STREAM)"), QStringLiteral("connect()"),
                              QStringLiteral("write()"), QStringLiteral("shutdown(SHUT_WR)"),
                              QStringLiteral("read()"), QStringLiteral("close()")}));
        QCOMPARE(laneOf(lanes, QStringLiteral("write()"))->count, 3u);
        QCOMPARE(laneOf(lanes, QStringLiteral("read()"))->count, 1u); // the FIN is no read
        QVERIFY(laneOf(lanes, QStringLiteral("read()"))->note.contains(QStringLiteral("FIN")));
        QCOMPARE(laneOf(lanes, QStringLiteral("close()"))->count, 1u); // not again at Closed
        QCOMPARE(laneOf(lanes, QStringLiteral("close()"))->qtCall,
                 QStringLiteral("QTcpSocket::disconnectFromHost()"));

        // The view shows the moment the window shows: back after the writes, write() is lit
        // and nothing after it is there yet.
        SystemCallLanesView view(journal, presented, &pacer);
        view.setSocket(id);
        QCOMPARE(view.litCall(), QStringLiteral("close()"));
        QVERIFY(pacer.seek(afterWrites));
        QCOMPARE(view.litCall(), QStringLiteral("write()"));
        QCOMPARE(view.lanes().size(), 3);
        view.resize(640, 240);
        QImage image(view.size(), QImage::Format_ARGB32);
        view.render(&image);
        QVERIFY(!image.isNull());
    }

    // A real session on loopback: a client connects, writes, is answered and closes. Seeked
    // back to its write, the lanes on screen are the calls up to it (no close() yet);
    // slow motion on an injected clock then lights each later call as it is reached.
    void followsSeeksOfARealSession()
    {
        SocketRegistry live, presented;
        EventLog log;
        EventJournal journal(live, &log);
        Pacer pacer(journal, presented);
        SocketId client = InvalidSocketId;
        {
            NetworkEngine engine(live, log);
            TcpServerConfig tcp;
            tcp.port = 0; // 127.0.0.1, any free port
            QVERIFY(!engine.startTcpServer(tcp).isError());
            QVERIFY(engine.spawnTcpClients(1).complete());
            client = engine.tcpClientIds().constFirst();
            QTRY_COMPARE_WITH_TIMEOUT(live.find(client)->state, SocketState::Established, 5000);
            QVERIFY(!engine.sendText(client, QStringLiteral("hello lanes")).isError());
            QTRY_VERIFY_WITH_TIMEOUT(live.find(client)->bytesReceived >= 12, 5000); // the echo
            QVERIFY(!engine.close(client).isError());
            QTRY_VERIFY_WITH_TIMEOUT(!live.find(client) || !live.find(client)->isOpen(), 5000);
        }
        QCOMPARE(pacer.position(), journal.lastSeq()); // live so far

        quint64 write = 0, close = 0;
        for (const SocketEvent &event : journal.range(journal.firstSeq(), journal.lastSeq())) {
            if (event.socket != client)
                continue;
            if (!write && event.kind == EventKind::Traffic
                && event.direction == TrafficDirection::Sent)
                write = event.seq;
            if (!close && event.kind == EventKind::FinSent)
                close = event.seq;
        }
        QVERIFY(write > 0 && close > write);

        SystemCallLanesView view(journal, presented, &pacer);
        view.resize(640, 240);
        view.setSocket(client);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.litCall(), QStringLiteral("close()"));
        QTRY_COMPARE(onScreen(view), rendered(view));
        const QImage liveImage = onScreen(view);

        QVERIFY(pacer.seek(write));
        QCOMPARE(callsOf(view.lanes()),
                 (QStringList{QStringLiteral("socket(SOCK_STREAM)"), QStringLiteral("connect()"),
                              QStringLiteral("write()")}));
        QCOMPARE(view.litCall(), QStringLiteral("write()"));
        // The screen follows: repainted without anything but the seek asking for it.
        QTRY_VERIFY(onScreen(view) != liveImage);
        QCOMPARE(onScreen(view), rendered(view));

        // Slow motion from there, time given by hand: each tick of one step's duration shows
        // one more event, and the screen follows until close() is lit.
        qint64 nowNs = 1'000'000'000;
        pacer.setSlowMotion(0.25, nowNs);
        for (int i = 0; i < 1000 && pacer.position() < close; ++i) {
            pacer.tick(nowNs);
            nowNs += pacer.stepDurationNs(pacer.position());
        }
        QCOMPARE(pacer.position(), close);
        QVERIFY(callsOf(view.lanes()).contains(QStringLiteral("read()")));
        QCOMPARE(view.litCall(), QStringLiteral("close()"));
        QTRY_COMPARE(onScreen(view), rendered(view));
    }

    void abortIsCloseWithLingerZero()
    {
        SocketRegistry live;
        EventJournal journal(live, nullptr);
        const SocketId id
                = live.add(recordOf(SocketRole::TcpServerSide, Protocol::Tcp, 9877, 40001));
        live.recordSegment(id, EventKind::RstSent, QLatin1String(SegmentCall::Abort));
        const QList<SystemCallLane> lanes = systemCallLanesOf(journal, id, journal.lastSeq());
        QCOMPARE(callsOf(lanes),
                 (QStringList{QStringLiteral("accept()"), QStringLiteral("close()")}));
        QVERIFY(lanes.at(1).qtCall.contains(QStringLiteral("SO_LINGER 0")));
        QVERIFY(lanes.at(1).note.contains(QStringLiteral("RST")));
    }

    void udpServerReceivesWithTheSendersAddress()
    {
        SocketRegistry live;
        EventJournal journal(live, nullptr);
        const SocketId id = live.add(recordOf(SocketRole::UdpServer, Protocol::Udp, 9877));
        const Endpoint client{kLocal, 50001};
        live.recordTraffic(id, TrafficDirection::Received, 5, client, true);
        live.recordTraffic(id, TrafficDirection::Sent, 5, client, true);
        const QList<SystemCallLane> lanes = systemCallLanesOf(journal, id, journal.lastSeq());
        QCOMPARE(callsOf(lanes),
                 (QStringList{QStringLiteral("socket(SOCK_DGRAM)"), QStringLiteral("bind()"),
                              QStringLiteral("recvfrom()"), QStringLiteral("sendto()")}));
        QVERIFY(laneOf(lanes, QStringLiteral("recvfrom()"))->note.contains(client.toString()));
    }

    void anotherProgramsSocketHasNoCallsOfOurs()
    {
        SocketRegistry live;
        EventJournal journal(live, nullptr);
        const SocketId id
                = live.add(recordOf(SocketRole::ExternalPeer, Protocol::Tcp, 40001, 9877));
        QVERIFY(systemCallLanesOf(journal, id, journal.lastSeq()).isEmpty());
    }
};

QTEST_MAIN(TestSystemCallLanes)
#include "tst_systemcalllanes.moc"
