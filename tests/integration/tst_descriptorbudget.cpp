// SPDX-License-Identifier: MIT
#include "descriptorbudget.h"

#include <QTest>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace SocketScope;

class TestDescriptorBudget : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void raisesSoftToHard();
    void countsOpenDescriptors();
    void countsDirectoriesPipesAndSockets();
    void clientsThatFit_data();
    void clientsThatFit();
};

void TestDescriptorBudget::raisesSoftToHard()
{
    rlimit saved{};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit lowered = saved;
    lowered.rlim_cur = qMin<rlim_t>(saved.rlim_max, 256);
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    QCOMPARE(DescriptorBudget::current().softLimit, qint64(lowered.rlim_cur));
    QVERIFY(DescriptorBudget::raiseSoftLimit());
    const DescriptorBudget budget = DescriptorBudget::current();
    QCOMPARE(budget.softLimit, budget.hardLimit);
    QCOMPARE(budget.hardLimit, qint64(saved.rlim_max));
    ::setrlimit(RLIMIT_NOFILE, &saved);
}

void TestDescriptorBudget::countsOpenDescriptors()
{
    const qint64 before = DescriptorBudget::current().open;
    QVERIFY(before >= 3); // stdin, stdout, stderr at least
    constexpr int Extra = 5;
    int fds[Extra];
    for (int &fd : fds)
        fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    QCOMPARE(DescriptorBudget::current().open, before + Extra);
    for (int fd : fds)
        ::close(fd);
    QCOMPARE(DescriptorBudget::current().open, before);
}

// Descriptors that are not files: a directory (what a CI runner once left open for us, which
// a listing filtered by file type did not count), both ends of a pipe and a socket.
void TestDescriptorBudget::countsDirectoriesPipesAndSockets()
{
    const qint64 before = DescriptorBudget::countOpenDescriptors();
    const int directory = ::open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    QVERIFY(directory >= 0);
    int pipeEnds[2] = {-1, -1};
    QCOMPARE(::pipe2(pipeEnds, O_CLOEXEC), 0);
    const int socket = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    QVERIFY(socket >= 0);
    QCOMPARE(DescriptorBudget::countOpenDescriptors(), before + 4);
    QCOMPARE(DescriptorBudget::current().open, before + 4);
    for (int fd : {directory, pipeEnds[0], pipeEnds[1], socket})
        ::close(fd);
    QCOMPARE(DescriptorBudget::countOpenDescriptors(), before);
}

void TestDescriptorBudget::clientsThatFit_data()
{
    QTest::addColumn<qint64>("soft");
    QTest::addColumn<qint64>("open");
    QTest::addColumn<int>("cost");
    QTest::addColumn<int>("reserve");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("debian default") << qint64(1024) << qint64(24) << 2 << 32 << qint64(484);
    QTest::newRow("odd remainder") << qint64(100) << qint64(10) << 2 << 5 << qint64(42);
    QTest::newRow("remote server") << qint64(100) << qint64(10) << 1 << 0 << qint64(90);
    QTest::newRow("exhausted") << qint64(100) << qint64(100) << 2 << 0 << qint64(0);
    QTest::newRow("over") << qint64(100) << qint64(120) << 2 << 0 << qint64(0);
    QTest::newRow("reserve eats all") << qint64(100) << qint64(90) << 2 << 32 << qint64(0);
}

void TestDescriptorBudget::clientsThatFit()
{
    QFETCH(qint64, soft);
    QFETCH(qint64, open);
    QFETCH(int, cost);
    QFETCH(int, reserve);
    QFETCH(qint64, expected);
    DescriptorBudget budget;
    budget.softLimit = soft;
    budget.hardLimit = soft;
    budget.open = open;
    QCOMPARE(budget.clientsThatFit(cost, reserve), expected);
    QVERIFY(budget.describe(cost).contains(QString::number(soft)));
}

QTEST_GUILESS_MAIN(TestDescriptorBudget)
#include "tst_descriptorbudget.moc"
