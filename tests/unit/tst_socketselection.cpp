// SPDX-License-Identifier: MIT
// One selection for the whole window: the diagram and the table write to it and follow it,
// the detail views follow its current socket, which a cleared selection keeps.
#include "diagramitems.h"
#include "diagramscene.h"
#include "eventlog.h"
#include "mainwindow.h"
#include "socketinspector.h"
#include "socketselection.h"
#include "sockettablemodel.h"

#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace SocketScope;

namespace {

SocketRecord tcpRecord(SocketRole role, quint16 local, std::optional<quint16> remote)
{
    SocketRecord r;
    r.protocol = Protocol::Tcp;
    r.role = role;
    r.local = {QHostAddress(QHostAddress::LocalHost), local};
    if (remote)
        r.remote = Endpoint{QHostAddress(QHostAddress::LocalHost), *remote};
    r.state = remote ? SocketState::Established : SocketState::Listen;
    return r;
}

QList<SocketId> selectedRows(const QTableView &table)
{
    QList<SocketId> ids;
    for (const QModelIndex &row : table.selectionModel()->selectedRows())
        ids.append(row.data(SocketTableModel::SocketIdRole).value<SocketId>());
    std::sort(ids.begin(), ids.end());
    return ids;
}

QList<SocketId> sorted(QList<SocketId> ids)
{
    std::sort(ids.begin(), ids.end());
    return ids;
}

void selectRow(QTableView &table, SocketId id)
{
    for (int row = 0; row < table.model()->rowCount(); ++row) {
        const QModelIndex index = table.model()->index(row, 0);
        if (index.data(SocketTableModel::SocketIdRole).value<SocketId>() == id)
            table.selectionModel()->select(index, QItemSelectionModel::ClearAndSelect
                                                          | QItemSelectionModel::Rows);
    }
}

} // namespace

class TestSocketSelection : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // A card selected before its row came (rows arrive once per batch) is selected in the
    // table when the row comes.
    void aRowThatArrivesLaterIsSelected()
    {
        SocketRegistry registry;
        EventLog log;
        MainWindow window(registry, log);
        const SocketId client = registry.add(tcpRecord(SocketRole::TcpClient, 51234, 9877));
        window.diagramScene()->flush();
        window.diagramScene()->itemFor(client)->setSelected(true);
        QTableView *table = window.socketTable();
        QVERIFY(selectedRows(*table).isEmpty()); // no row yet
        QCoreApplication::processEvents();
        QCOMPARE(selectedRows(*table), QList<SocketId>{client});
        QCOMPARE(window.selection().selected(), QList<SocketId>{client});
    }

    void currentIsTheFirstSelectedAndOutlivesAClear()
    {
        SocketSelection selection;
        QSignalSpy selected(&selection, &SocketSelection::selectionChanged);
        QSignalSpy current(&selection, &SocketSelection::currentChanged);
        selection.select({7, 3});
        QCOMPARE(selection.current(), SocketId(7));
        QCOMPARE(selected.size(), 1);
        QCOMPARE(current.size(), 1);
        selection.select({7, 3}); // the same again: nobody is told
        QCOMPARE(selected.size(), 1);
        selection.select({});
        QCOMPARE(selection.current(), SocketId(7)); // the inspector keeps its socket
        QCOMPARE(selected.size(), 2);
        selection.setCurrent(9); // Inspect: shown, not selected
        QCOMPARE(selection.current(), SocketId(9));
        QVERIFY(selection.selected().isEmpty());
        QCOMPARE(current.size(), 2);
    }

    void diagramTableAndInspectorFollowOneSelection()
    {
        SocketRegistry registry;
        EventLog log;
        MainWindow window(registry, log);
        const SocketId listener
                = registry.add(tcpRecord(SocketRole::TcpListener, 9877, std::nullopt));
        const SocketId client = registry.add(tcpRecord(SocketRole::TcpClient, 51234, 9877));
        const SocketId accepted = registry.add(tcpRecord(SocketRole::TcpServerSide, 9877, 51234));
        DiagramScene *scene = window.diagramScene();
        QTableView *table = window.socketTable();
        QCoreApplication::processEvents(); // the batch is over: the table has its rows
        scene->flush();

        // Two cards in the diagram: both rows in the table, the first in the inspector, and
        // the diagram keeps both (the table's echo does not narrow it to one).
        scene->itemFor(client)->setSelected(true);
        scene->itemFor(accepted)->setSelected(true);
        QCOMPARE(sorted(window.selection().selected()), sorted({client, accepted}));
        QCOMPARE(selectedRows(*table), sorted({client, accepted}));
        QCOMPARE(sorted(scene->selectedSockets()), sorted({client, accepted}));
        QCOMPARE(window.socketInspector()->socket(), window.selection().current());

        // A row in the table: that one card in the diagram, and in the inspector.
        selectRow(*table, listener);
        QCOMPARE(scene->selectedSockets(), QList<SocketId>{listener});
        QCOMPARE(window.selection().selected(), QList<SocketId>{listener});
        QCOMPARE(window.socketInspector()->socket(), listener);

        // A click on the background: nothing selected, the inspector keeps the listener.
        scene->clearSelection();
        QVERIFY(selectedRows(*table).isEmpty());
        QVERIFY(window.selection().selected().isEmpty());
        QCOMPARE(window.socketInspector()->socket(), listener);
    }
};

QTEST_MAIN(TestSocketSelection)
#include "tst_socketselection.moc"
