// SPDX-License-Identifier: MIT
// The one writer of user-named paths, on real files, FIFOs, devices, directories and
// sockets, and at the descriptor limit.
#include "safefilewriter.h"

#include "filetesthelpers.h"

#include <QDir>
#include <QFile>
#include <QLocalServer>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>

using namespace SocketScope;
using SocketScope::Test::typeOf;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestSafeFileWriter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void newAndRegularFilesAreReplacedWhole();
    void fifoWithReaderGetsEveryByte();
    void fifoWithoutReaderFailsAtOnce();
    void characterDevicesStayDevices_data();
    void characterDevicesStayDevices();
    void otherKindsAreRefused_data();
    void otherKindsAreRefused();
    void writesAtTheDescriptorLimit();

private:
    QTemporaryDir m_dir;
};

void TestSafeFileWriter::newAndRegularFilesAreReplacedWhole()
{
    const QString path = m_dir.filePath(QStringLiteral("state.json"));
    QString error;
    QVERIFY2(SafeFileWriter::write(path, "first, longer content", &error), qPrintable(error));
    QCOMPARE(readAll(path), QByteArray("first, longer content"));
    QVERIFY2(SafeFileWriter::write(path, "second", &error), qPrintable(error));
    QCOMPARE(readAll(path), QByteArray("second"));
    QCOMPARE(typeOf(path), mode_t(S_IFREG));
    const QString missing = m_dir.filePath(QStringLiteral("no/such/folder/state.json"));
    QVERIFY(!SafeFileWriter::write(missing, "x", &error));
    QVERIFY2(error.contains(missing), qPrintable(error));
}

void TestSafeFileWriter::fifoWithReaderGetsEveryByte()
{
    const QString fifo = m_dir.filePath(QStringLiteral("reader.fifo"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    const int reader = ::open(QFile::encodeName(fifo).constData(), O_RDONLY | O_NONBLOCK);
    QVERIFY(reader >= 0);
    // Far more than a pipe holds (64 KiB), so the writer has to wait for the reader.
    QByteArray payload;
    for (int i = 0; payload.size() < 1 << 20; ++i)
        payload += QByteArray::number(i) + ',';
    QByteArray got;
    std::atomic<bool> writerDone = false;
    std::thread drain([&] {
        char chunk[65536];
        for (int idle = 0; idle < 200;) { // bounded: 200 idle polls of 50 ms after the writer
            pollfd ready{reader, POLLIN, 0};
            ::poll(&ready, 1, 50);
            const ssize_t n = ::read(reader, chunk, sizeof chunk);
            if (n > 0) {
                got.append(chunk, n);
                idle = 0;
            } else if (writerDone) {
                ++idle;
                if (n == 0)
                    break; // the writer closed its end: everything has been read
            }
        }
    });
    QString error;
    const bool written = SafeFileWriter::write(fifo, payload, &error);
    writerDone = true;
    drain.join();
    ::close(reader);
    QVERIFY2(written, qPrintable(error));
    QCOMPARE(got.size(), payload.size());
    QVERIFY(got == payload);
    QCOMPARE(typeOf(fifo), mode_t(S_IFIFO));
}

void TestSafeFileWriter::fifoWithoutReaderFailsAtOnce()
{
    const QString fifo = m_dir.filePath(QStringLiteral("nobody.fifo"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    QString error;
    QVERIFY(!SafeFileWriter::write(fifo, "{}", &error)); // a hang here ends in the test timeout
    QVERIFY2(error.contains(QStringLiteral("nothing reads from it")), qPrintable(error));
    QCOMPARE(typeOf(fifo), mode_t(S_IFIFO));
}

void TestSafeFileWriter::characterDevicesStayDevices_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("writes");
    QTest::addColumn<QString>("advice");
    QTest::newRow("null") << Test::deviceLike(m_dir.path(), "null", 3) << true << QString();
    QTest::newRow("full") << Test::deviceLike(m_dir.path(), "full", 7) << false
                          << QStringLiteral("no space left on the device");
}

void TestSafeFileWriter::characterDevicesStayDevices()
{
    QFETCH(QString, path);
    QFETCH(bool, writes);
    QFETCH(QString, advice);
    QString error;
    QCOMPARE(SafeFileWriter::write(path, QByteArray(100000, 'j'), &error), writes);
    QVERIFY2(error.contains(advice), qPrintable(error));
    QCOMPARE(typeOf(path), mode_t(S_IFCHR));
}

void TestSafeFileWriter::otherKindsAreRefused_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("advice");
    QTest::newRow("directory") << QStringLiteral("directory")
                               << QStringLiteral("is a directory; give a file name");
    QTest::newRow("socket") << QStringLiteral("socket")
                            << QStringLiteral("is a socket; give a file name");
}

void TestSafeFileWriter::otherKindsAreRefused()
{
    QFETCH(QString, kind);
    QFETCH(QString, advice);
    const QString path = m_dir.filePath(kind);
    QLocalServer server;
    mode_t type = 0;
    if (kind == QLatin1String("directory")) {
        QVERIFY(QDir(m_dir.path()).mkdir(kind));
        type = S_IFDIR;
    } else {
        QVERIFY2(server.listen(path), qPrintable(server.errorString()));
        type = S_IFSOCK;
    }
    QString error;
    QVERIFY(!SafeFileWriter::write(path, "{}", &error));
    QVERIFY2(error.contains(advice), qPrintable(error));
    QCOMPARE(typeOf(path), type);
}

void TestSafeFileWriter::writesAtTheDescriptorLimit()
{
    QVERIFY(SafeFileWriter::reserveDescriptor());
    const QString path = m_dir.filePath(QStringLiteral("at-emfile.json"));
    rlimit saved;
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    int highest = 0;
    for (int fd = 0; fd < 4096; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1)
            highest = fd;
    }
    rlimit lowered = saved;
    lowered.rlim_cur = static_cast<rlim_t>(highest + 16);
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    QList<int> filler;
    for (int i = 0; i < highest + 16; ++i) { // more than the free slots below the limit
        const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            break;
        filler.append(fd);
    }
    const bool exhausted = ::open("/dev/null", O_RDONLY | O_CLOEXEC) < 0 && errno == EMFILE;
    QString error;
    const bool written = SafeFileWriter::write(path, "{\"version\": 1}", &error);
    const bool reserveBack = SafeFileWriter::hasReservedDescriptor();
    // The writer took its reserve again: the process is as full as before.
    const bool stillExhausted = ::open("/dev/null", O_RDONLY | O_CLOEXEC) < 0 && errno == EMFILE;
    for (int fd : std::as_const(filler))
        ::close(fd);
    ::setrlimit(RLIMIT_NOFILE, &saved);
    QVERIFY(exhausted);
    QVERIFY2(written, qPrintable(error));
    QCOMPARE(readAll(path), QByteArray("{\"version\": 1}"));
    QVERIFY(reserveBack);
    QVERIFY(stillExhausted);
}

QTEST_GUILESS_MAIN(TestSafeFileWriter)
#include "tst_safefilewriter.moc"
