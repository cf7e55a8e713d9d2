// SPDX-License-Identifier: MIT
// KernelProbe: polls on its own thread, hands snapshots to this thread, follows filter and
// interval changes, pauses, falls back to /proc when its first source fails, and stops
// cleanly when destroyed.

#include "kernelprobe.h"
#include "loopback.h"
#include "procnetsocketsource.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>

#include <atomic>

using namespace SocketScope;
using namespace SocketScope::Test;

namespace {

// A source that always fails, like netlink in a container without sock_diag.
class FailingSource final : public KernelSocketSource
{
public:
    explicit FailingSource(std::atomic<int> *reads) : m_reads(reads) { }
    QString name() const override { return QStringLiteral("broken"); }
    std::optional<KernelSnapshot> read(const KernelFilter &, QString *error) override
    {
        ++*m_reads;
        *error = QStringLiteral("not today");
        return std::nullopt;
    }

private:
    std::atomic<int> *m_reads;
};

bool containsListener(const KernelSnapshot &snapshot, quint16 port)
{
    return std::any_of(snapshot.cbegin(), snapshot.cend(), [port](const KernelSocket &socket) {
        return socket.local.port == port && socket.facts.state == SocketState::Listen;
    });
}

KernelSnapshot lastSnapshot(const QSignalSpy &spy)
{
    return spy.isEmpty() ? KernelSnapshot() : spy.last().at(0).value<KernelSnapshot>();
}

} // namespace

class TestKernelProbe : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pollsAndDelivers()
    {
        Fd listener = listenTcp(4);
        QVERIFY(listener.isValid());
        const quint16 port = localPort(listener.get());

        KernelProbe probe;
        QVERIFY(probe.isAvailable());
        QCOMPARE(probe.sourceName(), QStringLiteral("netlink"));
        QCOMPARE(probe.interval(), 100);
        QSignalSpy spy(&probe, &KernelProbe::snapshotReady);
        KernelFilter filter;
        filter.ports = {port};
        probe.setFilter(filter);
        probe.setInterval(20);
        probe.start();
        QVERIFY(probe.isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(spy.size() >= 3, 5000); // it keeps polling
        const KernelSnapshot snapshot = betweenPorts(lastSnapshot(spy), {port});
        QVERIFY(containsListener(snapshot, port));
        QCOMPARE(snapshot.size(), 1);
        QCOMPARE(snapshot.at(0).facts.pid, QCoreApplication::applicationPid());
        // The owner's name as ss shows it: the kernel's comm, at most 15 characters.
        QCOMPARE(snapshot.at(0).facts.program, QStringLiteral("tst_kernelprobe"));
        QVERIFY(probe.pollCount() >= 3);
        QVERIFY(probe.lastPollMicroseconds() > 0);

        // A new filter takes effect on a later poll.
        Fd other = listenTcp(4);
        const quint16 otherPort = localPort(other.get());
        filter.ports = {otherPort};
        probe.setFilter(filter);
        QTRY_VERIFY_WITH_TIMEOUT(containsListener(lastSnapshot(spy), otherPort)
                                         && !containsListener(lastSnapshot(spy), port),
                                 5000);
    }

    void pauseStopsPolling()
    {
        KernelProbe probe;
        QSignalSpy spy(&probe, &KernelProbe::snapshotReady);
        KernelFilter filter;
        filter.ports = {9}; // nothing there; still a poll
        probe.setFilter(filter);
        probe.setInterval(10);
        probe.start();
        QTRY_VERIFY_WITH_TIMEOUT(spy.size() >= 2, 5000);
        probe.pause();
        QVERIFY(!probe.isRunning());
        // Polls already on their way may still arrive; after them, silence. Bounded: a probe
        // that kept polling every 10 ms would never give 300 ms of quiet in 10 tries.
        int quietAfter = 0;
        while (spy.wait(300) && quietAfter < 10)
            ++quietAfter;
        QVERIFY(quietAfter < 10);
        spy.clear();
        probe.pollNow(); // an explicit refresh works while paused
        QVERIFY(spy.wait(5000));
        spy.clear();
        probe.resume();
        QTRY_VERIFY_WITH_TIMEOUT(spy.size() >= 2, 5000);
    }

    void fallsBackToProc()
    {
        Fd listener = listenTcp(4);
        const quint16 port = localPort(listener.get());
        std::atomic<int> reads{0};
        KernelProbe probe(std::make_unique<FailingSource>(&reads),
                          std::make_unique<ProcNetSocketSource>());
        QCOMPARE(probe.sourceName(), QStringLiteral("broken"));
        QSignalSpy sources(&probe, &KernelProbe::sourceChanged);
        QSignalSpy errors(&probe, &KernelProbe::errorOccurred);
        QSignalSpy spy(&probe, &KernelProbe::snapshotReady);
        KernelFilter filter;
        filter.ports = {port};
        probe.setFilter(filter);
        probe.start();
        QTRY_COMPARE_WITH_TIMEOUT(sources.size(), 1, 5000);
        QCOMPARE(sources.at(0).at(0).toString(), QStringLiteral("proc"));
        QCOMPARE(probe.sourceName(), QStringLiteral("proc"));
        QVERIFY(errors.size() >= 1);
        QTRY_VERIFY_WITH_TIMEOUT(containsListener(lastSnapshot(spy), port), 5000);
        QCOMPARE(reads.load(), 1); // given up on after its first failure
    }

    void withoutFallbackReportsErrors()
    {
        std::atomic<int> reads{0};
        KernelProbe probe(std::make_unique<FailingSource>(&reads));
        QSignalSpy errors(&probe, &KernelProbe::errorOccurred);
        QSignalSpy spy(&probe, &KernelProbe::snapshotReady);
        probe.setInterval(10);
        probe.start();
        QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 2, 5000);
        QVERIFY(errors.at(0).at(0).toString().contains(QStringLiteral("not today")));
        QCOMPARE(spy.size(), 0);
    }

    void unavailableWithoutSource()
    {
        KernelProbe probe(std::unique_ptr<KernelSocketSource>{});
        QVERIFY(!probe.isAvailable());
        QCOMPARE(probe.sourceName(), QStringLiteral("unavailable"));
        probe.start(); // harmless
        QVERIFY(!probe.isRunning());
    }

    void destroyWhileRunning()
    {
        // Destruction joins the thread; bounded by the test timeout, and ASan catches a
        // worker that outlives its probe.
        for (int i = 0; i < 20; ++i) {
            auto probe = std::make_unique<KernelProbe>();
            KernelFilter filter;
            filter.wholeHost = true;
            probe->setFilter(filter);
            probe->setInterval(1);
            probe->start();
            if (i % 2) { // sometimes after polling began
                QSignalSpy spy(probe.get(), &KernelProbe::snapshotReady);
                QVERIFY(spy.wait(5000));
            }
            probe.reset();
        }
    }
};

QTEST_GUILESS_MAIN(TestKernelProbe)
#include "tst_kernelprobe.moc"
