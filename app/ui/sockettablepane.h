// SPDX-License-Identifier: MIT
#pragma once

#include "socketrecord.h"

#include <QWidget>

class QComboBox;
class QLineEdit;
class QPoint;
class QSettings;
class QSpinBox;
class QTableView;

namespace SocketScope {

class MainWindowActions;
class SocketFilterProxyModel;
class SocketRegistry;
class SocketSelection;
class SocketTableModel;

// The netstat-like table of sockets with its filter bar (protocol, state, port, text, the
// whole host). Its rows follow the window's selection and write to it.
class SocketTablePane : public QWidget
{
    Q_OBJECT
public:
    // Uses the window's Filter…, Copy Rows and Whole Host actions.
    SocketTablePane(SocketRegistry &registry, SocketSelection &selection,
                    const MainWindowActions &actions, QWidget *parent = nullptr);
    ~SocketTablePane() override;

    QTableView *table() const { return m_table; }
    SocketTableModel *model() const { return m_model; }
    SocketFilterProxyModel *filterModel() const { return m_proxy; }

    // The columns as the user arranged them and the protocol shown.
    void restoreSettings(const QSettings &settings);
    void saveSettings(QSettings &settings) const;

Q_SIGNALS:
    void socketContextMenuRequested(SocketScope::SocketId id, const QPoint &screenPos);
    void statusMessage(const QString &text, int timeoutMs);

private:
    void createTable();
    QLayout *createFilterBar(const MainWindowActions &actions);
    void copySelectedRows();
    void selectFromTable();
    void followSelection(const QList<SocketId> &ids);

    SocketSelection &m_selection;
    SocketTableModel *m_model = nullptr;
    SocketFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_protocolCombo = nullptr;
    QComboBox *m_stateCombo = nullptr;
    QSpinBox *m_portSpin = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    bool m_syncingSelection = false; // the table's own change, echoed back by the selection
};

} // namespace SocketScope
