// SPDX-License-Identifier: MIT
// The window as main() builds it, in a real X server (its own Xvfb, xcb platform): clients
// are spawned by clicking, the toolbar's "+ TCP Client" and a double click on the UDP server
// in the diagram, and the diagram must then hold exactly one item per socket of the registry.
#include "appcontroller.h"
#include "diagramitems.h"
#include "diagramscene.h"
#include "diagramview.h"
#include "eventlog.h"
#include "mainwindow.h"
#include "networkengine.h"
#include "networkhost.h"
#include "registrymirror.h"
#include "socketregistry.h"

#include <QAbstractButton>
#include <QApplication>
#include <QStandardPaths>
#include <QTest>
#include <QToolBar>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <string>

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace SocketScope;

namespace {

// An Xvfb of our own, started before QApplication so the xcb platform can connect to it.
// -displayfd makes it pick a free display and print the number once it accepts clients.
class XvfbServer
{
public:
    bool start()
    {
        int ready[2];
        if (::pipe(ready) != 0)
            return false;
        m_pid = ::fork();
        if (m_pid == 0) {
            ::close(ready[0]);
            ::prctl(PR_SET_PDEATHSIG, SIGTERM); // never outlive the test
            const std::string fd = std::to_string(ready[1]);
            ::execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1280x800x24",
                     "-nolisten", "tcp", static_cast<char *>(nullptr));
            ::_exit(127);
        }
        ::close(ready[1]);
        if (m_pid < 0) {
            ::close(ready[0]);
            return false;
        }
        std::string number;
        pollfd wait{ready[0], POLLIN, 0};
        char c = 0;
        while (::poll(&wait, 1, 15000) == 1 && ::read(ready[0], &c, 1) == 1 && c != '\n')
            number += c;
        ::close(ready[0]);
        if (number.empty())
            return false;
        qputenv("DISPLAY", QByteArray(":") + QByteArray::fromStdString(number));
        return true;
    }

    ~XvfbServer()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
    }

private:
    pid_t m_pid = -1;
};

QWidget *toolButtonFor(const MainWindow &window, const QString &text)
{
    for (QToolBar *bar : window.findChildren<QToolBar *>()) {
        for (QAction *action : bar->actions()) {
            if (action->text() == text)
                return bar->widgetForAction(action);
        }
    }
    return nullptr;
}

int countRole(const SocketRegistry &registry, SocketRole role)
{
    int count = 0;
    for (SocketId id : registry.ids())
        count += registry.find(id)->role == role ? 1 : 0;
    return count;
}

} // namespace

class TestGuiClicks : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void spawnByClickingMatchesRegistry();
};

void TestGuiClicks::spawnByClickingMatchesRegistry()
{
    QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
    // Composed as main() does: the network in its own thread, its changes mirrored here.
    SocketRegistry registry;
    EventLog log;
    NetworkHost network;
    network.mirrorInto(registry, log);
    MainWindow window(registry, log);
    AppController controller(network.engine(), log, window);
    controller.setInteractive(false);
    // Ephemeral ports on loopback: the test must not depend on 9877 being free.
    window.serverPanel()->setRememberServerSettings(false);
    TcpServerSettings tcp = window.serverPanel()->tcpSettings();
    tcp.address = QStringLiteral("127.0.0.1");
    tcp.port = 0;
    window.serverPanel()->setTcpSettings(tcp);
    UdpServerSettings udp = window.serverPanel()->udpSettings();
    udp.address = QStringLiteral("127.0.0.1");
    udp.port = 0;
    window.serverPanel()->setUdpSettings(udp);
    window.resize(1200, 760);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(controller.startTcpServer(window.serverPanel()->tcpSettings()));
    QVERIFY(controller.startUdpServer(window.serverPanel()->udpSettings()));

    // Three clicks on the toolbar button.
    QWidget *tcpButton = toolButtonFor(window, MainWindow::tr("+ TCP Client"));
    QVERIFY(tcpButton);
    QVERIFY(tcpButton->isVisible());
    for (int i = 0; i < 3; ++i)
        QTest::mouseClick(tcpButton, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(countRole(registry, SocketRole::TcpServerSide), 3, 5000);

    // Two double clicks on the UDP server's card in the diagram, where it is drawn now.
    DiagramScene *scene = window.diagramScene();
    DiagramView *view = window.diagramView();
    scene->flush();
    for (int i = 0; i < 2; ++i) {
        const SocketId serverId = network.run([&] { return network.engine().udpServerId(); });
        QTRY_VERIFY_WITH_TIMEOUT((scene->flush(), scene->itemFor(serverId)), 5000);
        SocketItem *server = scene->itemFor(serverId);
        QVERIFY(server);
        const QPoint at = view->mapFromScene(server->sceneBoundingRect().center());
        QVERIFY2(view->viewport()->rect().contains(at), "the UDP server is off screen");
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, at);
        QTRY_COMPARE_WITH_TIMEOUT(countRole(registry, SocketRole::UdpClient), i + 1, 5000);
        scene->flush();
    }

    QCOMPARE(countRole(registry, SocketRole::TcpListener), 1);
    QCOMPARE(countRole(registry, SocketRole::TcpClient), 3);
    QCOMPARE(countRole(registry, SocketRole::UdpServer), 1);
    // The diagram: one card per socket of the registry, no more, no fewer.
    QTRY_VERIFY_WITH_TIMEOUT((scene->flush(), scene->socketItemCount() == registry.count()), 5000);
    for (SocketId id : registry.ids())
        QVERIFY2(scene->itemFor(id), qPrintable(QStringLiteral("no card for socket %1").arg(id)));
    QCOMPARE(registry.count(), qsizetype(10));
}

int main(int argc, char *argv[])
{
    XvfbServer xvfb;
    if (!xvfb.start()) {
        std::fprintf(stderr, "Xvfb did not start: install the packages in "
                             ".ci/debian-packages.txt\n");
        return 1;
    }
    qputenv("QT_QPA_PLATFORM", "xcb");
    QStandardPaths::setTestModeEnabled(true); // settings go to a test location, not the user's
    QApplication app(argc, argv);
    TestGuiClicks test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_guiclicks.moc"
