// SPDX-License-Identifier: MIT
#pragma once

#include "inetdiag.h"
#include "kernelsocketsource.h"
#include "sockdiagchannel.h"

#include <QByteArray>

#include <optional>

namespace SocketScope {

// Reads TCP and UDP, IPv4 and IPv6 sockets with NETLINK_SOCK_DIAG, filtered in the kernel.
//
// A TCP dump of connections walks the kernel's whole established hash however tight the
// filter (measured: 11 ms just to walk 40,000 sockets whose state does not match, 26 ms with
// our port filter), so on a busy host reads come in two kinds:
// - a *refresh* asks only for what is indexed: the listening sockets on our ports (a dump of
//   LISTEN only skips the established hash), the UDP sockets (a table indexed by port), and
//   each known connection by its exact tuple (a hash lookup each): the previous answer's,
//   the caller's hints (KernelFilter::connections), and the far end of each, which finds
//   the server side of our own clients, accept queue included;
// - a *discovery* walks the table with the port filter and finds sockets nobody knew about.
// Discovery runs every read while a walk fits the budget (an ordinary host). On a busy host
// it runs when there is evidence of something unknown (a listener's accept queue holds more
// connections than the ones we know are waiting in it: an external client) and otherwise
// every n-th read as a safety net, at most every MaxDiscoveryEvery-th.
class NetlinkSocketSource final : public KernelSocketSource
{
public:
    static constexpr double DefaultDiscoveryBudgetMs = 1.0;
    static constexpr int MaxDiscoveryEvery = 30;

    NetlinkSocketSource();
    ~NetlinkSocketSource() override;
    NetlinkSocketSource(const NetlinkSocketSource &) = delete;
    NetlinkSocketSource &operator=(const NetlinkSocketSource &) = delete;

    QString name() const override { return QStringLiteral("netlink"); }
    std::optional<KernelSnapshot> read(const KernelFilter &filter, QString *error) override;

    // TCP_INFO costs the kernel a little per matching socket; on by default for our few
    // ports, always off for the whole host.
    void setWantTcpInfo(bool want) { m_wantTcpInfo = want; }

    // Average cost per read the discovery dumps may take; 0 makes every read a discovery.
    void setDiscoveryBudgetMs(double ms) { m_discoveryBudgetMs = ms; }
    // Fixes discovery to every n-th read (tests, benchmark); 0 returns to the budget.
    void setDiscoveryEvery(int reads) { m_fixedDiscoveryEvery = reads; }
    int discoveryEvery() const;
    bool lastReadWasDiscovery() const { return m_lastWasDiscovery; }
    // The last discovery ran because a listener's queue held a connection nobody knew of.
    bool lastDiscoveryHadEvidence() const { return m_lastDiscoveryHadEvidence; }
    double lastDiscoveryMs() const { return m_lastDiscoveryMs; }
    // The netlink port id the kernel answers to (0 until the first read opens the socket).
    quint32 portId() const { return m_channel.portId(); }

private:
    // TCP in the given states (a bit per Linux TCP state), and UDP, as the filter asks.
    bool dumpAll(const KernelFilter &filter, quint32 tcpStates, KernelSnapshot *out,
                 QString *error);
    bool refresh(const KernelFilter &filter, KernelSnapshot *out, QString *error);
    // Looks up one TCP socket by its exact tuple; false on a transport error only.
    bool lookup(const KernelSocket &wanted, std::optional<KernelSocket> *found, QString *error);
    bool refreshTcp(const KernelFilter &filter, KernelSnapshot *out, QString *error);

    bool dump(int family, Protocol protocol, quint32 states, const KernelFilter &filter,
              const QByteArray &bytecode, KernelSnapshot *out, QString *error);

    SockDiagChannel m_channel;
    bool m_wantTcpInfo = true;
    bool m_bothFamiliesWorks = true; // TCPDIAG_GETSOCK accepted (tried first)
    bool m_bothFamiliesEverWorked = false;
    double m_discoveryBudgetMs = DefaultDiscoveryBudgetMs;
    double m_lastDiscoveryMs = 0;
    int m_fixedDiscoveryEvery = 0;
    int m_readsSinceDiscovery = 0;
    bool m_lastWasDiscovery = false;
    bool m_lastDiscoveryHadEvidence = false;
    bool m_discoveredOnce = false;
    KernelFilter m_lastFilter;
    KernelSnapshot m_knownTcp; // TCP part of the last answer: what a refresh asks about
};

} // namespace SocketScope
