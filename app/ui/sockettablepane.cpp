// SPDX-License-Identifier: MIT
#include "sockettablepane.h"

#include "mainwindowactions.h"
#include "socketselection.h"
#include "sockettabledelegate.h"
#include "sockettablemodel.h"
#include "tableexporter.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace SocketScope {

SocketTablePane::SocketTablePane(SocketRegistry &registry, SocketSelection &selection,
                                 const MainWindowActions &actions, QWidget *parent)
    : QWidget(parent), m_selection(selection)
{
    m_model = new SocketTableModel(registry, this);
    // A batch's rows come and go as ranges, once per batch (see SocketTableModel).
    m_model->setCoalescing(true);
    m_proxy = new SocketFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);

    // The filter bar first: Tab goes through it, then into the table.
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(createFilterBar(actions));
    createTable();
    layout->addWidget(m_table, 1);
    m_table->addAction(actions.copyRows());
    connect(actions.copyRows(), &QAction::triggered, this, &SocketTablePane::copySelectedRows);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &SocketTablePane::selectFromTable);
    connect(&selection, &SocketSelection::selectionChanged, this,
            &SocketTablePane::followSelection);
    // Rows arrive once per batch: one selected in the diagram before its row came is
    // selected when it comes.
    connect(m_model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) {
                const QList<SocketId> &selected = m_selection.selected();
                if (selected.isEmpty())
                    return;
                m_syncingSelection = true;
                for (int row = first; row <= last; ++row) {
                    if (!selected.contains(m_model->socketAt(row)))
                        continue;
                    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
                    if (index.isValid())
                        m_table->selectionModel()->select(
                                index, QItemSelectionModel::Select | QItemSelectionModel::Rows);
                }
                m_syncingSelection = false;
            });
}

SocketTablePane::~SocketTablePane()
{
    // The table is our child and dies after this destructor, in ~QWidget; removing a
    // selected row then announces a selection change, which must not reach a slot of ours.
    m_table->selectionModel()->disconnect(this);
}

void SocketTablePane::createTable()
{
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("socketTable"));
    m_table->setModel(m_proxy);
    m_table->setItemDelegate(new SocketTableDelegate(m_table));
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // arrival order until the user picks a column
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->setWordWrap(false);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex index = m_table->indexAt(pos);
        if (index.isValid())
            Q_EMIT socketContextMenuRequested(
                    index.data(SocketTableModel::SocketIdRole).value<SocketId>(),
                    m_table->viewport()->mapToGlobal(pos));
    });
    // Tuples must stay readable from the back of a hall: a monospace font keeps columns of
    // addresses and ports aligned so the differing part stands out.
    QFont tableFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    tableFont.setPointSizeF(qMax(tableFont.pointSizeF(), 11.0));
    m_table->setFont(tableFont);
    const int charWidth = QFontMetrics(tableFont).horizontalAdvance(QLatin1Char('0'));
    const int widths[] = {5, 22, 22, 12, 16, 6, 6, 15, 7};
    for (int column = 0; column < SocketTableModel::ColumnCount; ++column)
        m_table->setColumnWidth(column, (widths[column] + 2) * charWidth);
}

QLayout *SocketTablePane::createFilterBar(const MainWindowActions &actions)
{
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);

    m_protocolCombo = new QComboBox(this);
    m_protocolCombo->setObjectName(QStringLiteral("protocolFilter"));
    m_protocolCombo->setToolTip(tr("Show TCP sockets, UDP sockets or both"));
    m_protocolCombo->addItem(tr("TCP and UDP"));
    m_protocolCombo->addItem(tr("TCP only"), static_cast<int>(Protocol::Tcp));
    m_protocolCombo->addItem(tr("UDP only"), static_cast<int>(Protocol::Udp));
    connect(m_protocolCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QVariant value = m_protocolCombo->itemData(index);
        m_proxy->setProtocolFilter(value.isValid()
                                           ? std::optional(static_cast<Protocol>(value.toInt()))
                                           : std::nullopt);
    });
    bar->addWidget(m_protocolCombo);

    m_stateCombo = new QComboBox(this);
    m_stateCombo->setObjectName(QStringLiteral("stateFilter"));
    m_stateCombo->setToolTip(tr("Show only sockets in this state (the kernel's, when known)"));
    m_stateCombo->addItem(tr("Any state"));
    for (SocketState state :
         {SocketState::Listen, SocketState::SynSent, SocketState::SynRecv, SocketState::Established,
          SocketState::FinWait1, SocketState::FinWait2, SocketState::CloseWait,
          SocketState::Closing, SocketState::LastAck, SocketState::TimeWait,
          SocketState::Unconnected})
        m_stateCombo->addItem(stateName(state), static_cast<int>(state));
    connect(m_stateCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QVariant value = m_stateCombo->itemData(index);
        m_proxy->setStateFilter(value.isValid()
                                        ? std::optional(static_cast<SocketState>(value.toInt()))
                                        : std::nullopt);
    });
    bar->addWidget(m_stateCombo);

    m_portSpin = new QSpinBox(this);
    m_portSpin->setObjectName(QStringLiteral("portFilter"));
    m_portSpin->setRange(0, 65535);
    m_portSpin->setSpecialValueText(tr("Any port"));
    m_portSpin->setToolTip(tr("Show only sockets with this local or remote port"));
    connect(m_portSpin, &QSpinBox::valueChanged, this, [this](int port) {
        m_proxy->setPortFilter(port > 0 ? std::optional(static_cast<quint16>(port)) : std::nullopt);
    });
    bar->addWidget(m_portSpin);

    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("textFilter"));
    m_filterEdit->setPlaceholderText(tr("Filter: address, port, state…"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setToolTip(
            tr("Show only sockets whose row contains this text (%1)")
                    .arg(actions.find()->shortcut().toString(QKeySequence::NativeText)));
    connect(m_filterEdit, &QLineEdit::textChanged, m_proxy, &SocketFilterProxyModel::setTextFilter);
    connect(actions.find(), &QAction::triggered, m_filterEdit, [this] {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });
    bar->addWidget(m_filterEdit, 1);

    auto *wholeHost = new QToolButton(this);
    wholeHost->setDefaultAction(actions.wholeHost());
    wholeHost->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addWidget(wholeHost);
    return bar;
}

void SocketTablePane::restoreSettings(const QSettings &settings)
{
    m_table->horizontalHeader()->restoreState(
            settings.value(QStringLiteral("table/header")).toByteArray());
    m_protocolCombo->setCurrentIndex(
            qBound(0, settings.value(QStringLiteral("table/protocolFilter")).toInt(),
                   m_protocolCombo->count() - 1));
}

void SocketTablePane::saveSettings(QSettings &settings) const
{
    settings.setValue(QStringLiteral("table/header"), m_table->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("table/protocolFilter"), m_protocolCombo->currentIndex());
}

void SocketTablePane::copySelectedRows()
{
    QList<int> rows;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        rows.append(index.row());
    std::sort(rows.begin(), rows.end());
    if (rows.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(TableExporter::toText(*m_proxy, rows));
    Q_EMIT statusMessage(tr("%n row(s) copied", nullptr, static_cast<int>(rows.size())), 3000);
}

void SocketTablePane::selectFromTable()
{
    if (m_syncingSelection)
        return;
    QList<SocketId> ids;
    for (const QModelIndex &row : m_table->selectionModel()->selectedRows())
        ids.append(row.data(SocketTableModel::SocketIdRole).value<SocketId>());
    m_syncingSelection = true;
    m_selection.select(ids);
    m_syncingSelection = false;
}

void SocketTablePane::followSelection(const QList<SocketId> &ids)
{
    if (m_syncingSelection)
        return;
    m_syncingSelection = true;
    m_table->clearSelection();
    for (SocketId id : ids) {
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(m_model->rowOf(id), 0));
        if (!index.isValid())
            continue;
        m_table->selectionModel()->select(index,
                                          QItemSelectionModel::Select | QItemSelectionModel::Rows);
        m_table->scrollTo(index);
    }
    m_syncingSelection = false;
}

} // namespace SocketScope
