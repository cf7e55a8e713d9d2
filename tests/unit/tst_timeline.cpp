// SPDX-License-Identifier: MIT
// The event timeline of a known session: lanes per connection (the TIME_WAIT the kernel keeps
// continues the client's lane), arrows for connect, accept and data, state bands; rendered
// to an image that is not blank and an SVG that carries the tuples; a click seeks.

#include "pacer.h"
#include "socketregistry.h"
#include "timelineview.h"

#include <QImage>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace SocketScope;

namespace {

const QHostAddress kLocal(QHostAddress::LocalHost);

SocketRecord socket(SocketRole role, quint16 local, std::optional<quint16> remote,
                    SocketState state)
{
    SocketRecord record;
    record.role = role;
    record.local = {kLocal, local};
    if (remote)
        record.remote = Endpoint{kLocal, *remote};
    record.state = state;
    return record;
}

// listener 9877; client 40001 connects, is accepted, sends 5 bytes, gets them back,
// closes first and leaves TIME_WAIT in the kernel.
struct KnownSession
{
    SocketRegistry registry;
    EventJournal journal{registry, nullptr};
    SocketId listener = 0, client = 0, accepted = 0, timeWait = 0;
    quint64 acceptSeq = 0;

    KnownSession()
    {
        listener = registry.add(socket(SocketRole::TcpListener, 9877, {}, SocketState::Listen));
        client = registry.add(socket(SocketRole::TcpClient, 40001, 9877, SocketState::SynSent));
        accepted = registry.add(
                socket(SocketRole::TcpServerSide, 9877, 40001, SocketState::Established));
        acceptSeq = journal.lastSeq();
        registry.update(client, [](SocketRecord &r) { r.state = SocketState::Established; });
        const Endpoint toServer{kLocal, 9877}, toClient{kLocal, 40001};
        registry.recordTraffic(client, TrafficDirection::Sent, 5, toServer, false);
        registry.recordTraffic(accepted, TrafficDirection::Received, 5, toClient, false);
        registry.recordTraffic(accepted, TrafficDirection::Sent, 5, toClient, false);
        registry.recordTraffic(client, TrafficDirection::Received, 5, toServer, false);
        registry.recordSegment(client, EventKind::FinSent);
        registry.recordSegment(accepted, EventKind::FinReceived);
        registry.markClosed(client);
        registry.remove(client);
        SocketRecord kernelOnly = socket(SocketRole::TcpClient, 40001, 9877, SocketState::Unknown);
        kernelOnly.kernelOnly = true;
        KernelFacts facts;
        facts.state = SocketState::TimeWait;
        kernelOnly.kernel = facts;
        timeWait = registry.add(kernelOnly);
    }
};

} // namespace

class TestTimeline : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void planHasLanesArrowsAndBands()
    {
        KnownSession session;
        const TimelinePlan plan = timelineOf(session.journal);
        QCOMPARE(plan.lanes.size(), 3); // the TIME_WAIT socket continues the client's lane
        QCOMPARE(plan.lanes.at(1).title, QStringLiteral("client #%1").arg(session.client));
        QCOMPARE(plan.lanes.at(1).tuple, QStringLiteral("127.0.0.1:40001 \u2192 127.0.0.1:9877"));
        QCOMPARE(plan.lanes.at(2).title, QStringLiteral("accepted #%1").arg(session.accepted));

        QList<TimelineArrow::Kind> kinds;
        for (const TimelineArrow &arrow : plan.arrows)
            kinds.append(arrow.kind);
        using K = TimelineArrow::Kind;
        QCOMPARE(kinds, (QList<K>{K::Connect, K::Accept, K::Data, K::Data, K::Fin}));
        QCOMPARE(plan.arrows.at(4).fromLane, 1); // the client's FIN reaches the server side
        QCOMPARE(plan.arrows.at(4).toLane, 2);
        QVERIFY(plan.arrows.at(4).fromColumn < plan.arrows.at(4).toColumn);
        QCOMPARE(plan.arrows.at(0).fromLane, 1); // client -> listener
        QCOMPARE(plan.arrows.at(0).toLane, 0);
        QCOMPARE(plan.arrows.at(1).fromLane, 0); // listener -> accepted
        QCOMPARE(plan.arrows.at(1).toLane, 2);
        QCOMPARE(plan.arrows.at(2).fromLane, 1); // the request, client -> accepted
        QCOMPARE(plan.arrows.at(2).toLane, 2);
        QVERIFY(plan.arrows.at(2).fromColumn < plan.arrows.at(2).toColumn);
        QCOMPARE(plan.arrows.at(3).fromLane, 2); // the echo back
        QCOMPARE(plan.arrows.at(3).toLane, 1);
        QCOMPARE(plan.arrows.at(3).label, QStringLiteral("5 B"));

        QList<SocketState> clientStates;
        for (const TimelineBand &band : plan.bands) {
            if (band.lane == 1)
                clientStates.append(band.state);
        }
        QCOMPARE(clientStates, (QList<SocketState>{SocketState::SynSent, SocketState::Established,
                                                   SocketState::Close, SocketState::TimeWait}));
        QCOMPARE(plan.columnOf(session.acceptSeq), plan.arrows.at(1).toColumn);
    }

    void rendersToAnImageAndAnSvgWithTheTuples()
    {
        KnownSession session;
        const TimelinePlan plan = timelineOf(session.journal);
        QTemporaryDir dir;
        QString error;
        const QString png = dir.filePath(QStringLiteral("t.png"));
        QVERIFY2(writeTimelineFile(plan, png, &error), qPrintable(error));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), timelineSize(plan, TimelineStyle{}));
        // Not blank: the state colours are there (ESTABLISHED's bluish green among them).
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2)
                colours.insert(image.pixel(x, y));
        QVERIFY(colours.size() > 20);
        QVERIFY(colours.contains(qRgb(0x00, 0x9E, 0x73)));
        const QString svg = dir.filePath(QStringLiteral("t.svg"));
        QVERIFY2(writeTimelineFile(plan, svg, &error), qPrintable(error));
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("127.0.0.1:40001"));
        QVERIFY(text.contains("TIME_WAIT"));
        QVERIFY(text.contains("accept()"));
    }

    // The filter finds lanes by socket, protocol and the states they passed through.
    void filterFindsLanesBySocketProtocolAndState()
    {
        KnownSession session;
        TimelineView view(session.journal, nullptr);
        QCOMPARE(view.shownLanes(), (QList<int>{0, 1, 2}));
        view.setLaneFilter(QStringLiteral("client #%1").arg(session.client));
        QCOMPARE(view.shownLanes(), QList<int>{1});
        view.setLaneFilter(QStringLiteral("tcp"));
        QCOMPARE(view.shownLanes(), (QList<int>{0, 1, 2}));
        view.setLaneFilter(QStringLiteral("UDP"));
        QVERIFY(view.shownLanes().isEmpty()); // a TCP-only session
        view.setLaneFilter(QStringLiteral("time_wait"));
        QCOMPARE(view.shownLanes(), QList<int>{1}); // the client closed first
        view.setLaneFilter(QStringLiteral("listen"));
        QCOMPARE(view.shownLanes(), QList<int>{0});
        view.setLaneFilter({});
        QCOMPARE(view.shownLanes().size(), 3);
    }

    void clickingAnEventSeeksThere()
    {
        KnownSession session;
        SocketRegistry presented;
        Pacer pacer(session.journal, presented);
        TimelineView view(session.journal, &pacer);
        view.resize(900, 300);
        view.setFollowLive(false);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const TimelinePlan &plan = view.plan();
        const int column = plan.columnOf(session.acceptSeq);
        const TimelineStyle style;
        const QPoint at(style.gutter + column * style.columnWidth + style.columnWidth / 2, 60);
        QCOMPARE(view.columnAt(at), column);
        QSignalSpy seeks(&view, &TimelineView::seekRequested);
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(seeks.count(), 1);
        QCOMPARE(seeks.constFirst().constFirst().toULongLong(), session.acceptSeq);
        // The window's registry shows the moment of the accept: the client still connecting.
        QCOMPARE(pacer.mode(), PaceMode::Paused);
        QCOMPARE(presented.find(session.client)->state, SocketState::SynSent);
        QVERIFY(presented.contains(session.accepted));
        QVERIFY(!presented.contains(session.timeWait));
    }
};

QTEST_MAIN(TestTimeline)
#include "tst_timeline.moc"
