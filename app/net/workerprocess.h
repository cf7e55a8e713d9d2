// SPDX-License-Identifier: MIT
#pragma once

namespace SocketScope {

// True when the program was started as a worker (`<program> --worker`): main() must then
// call runWorker() before it creates any QApplication or window.
bool isWorkerInvocation(int argc, char *argv[]);

// The worker process of the process-per-client model. It closes every descriptor it may
// have inherited except stdio and the channel (WorkerProtocol::ControlDescriptor), so it can
// never hold the app's listener; receives one accepted TCP socket over the channel; serves
// it with the behaviour the app named; reports traffic and the end to the app; exits.
// Returns the process exit code: 0 after a served connection, 3 when the handover failed.
int runWorker(int argc, char *argv[]);

} // namespace SocketScope
