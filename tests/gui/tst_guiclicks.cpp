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
#include "xvfbserver.h"

#include <QAbstractButton>
#include <QApplication>
#include <QTest>
#include <QToolBar>

using namespace SocketScope;

namespace {

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
    return runTestUnderXvfb<TestGuiClicks>(argc, argv);
}

#include "tst_guiclicks.moc"
