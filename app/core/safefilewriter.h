// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>
#include <QString>

namespace SocketScope {

// Writes a file the user named: every export (state JSON, diagram PNG/SVG, table CSV) goes
// through here, so every export treats the path alike.
//
// - A regular file, or a name nothing has yet: written beside it and renamed over it
//   (QSaveFile), so a crash or a full disk never leaves half a file.
// - A FIFO or a character device (a pipe a script reads, /dev/stdout, /dev/null): written
//   into as it is. Renaming a new file over it would replace the device or the FIFO with a
//   regular file, and the reader would get nothing.
// - Anything else (a directory, a socket, a block device): refused, never replaced.
//
// Never blocks without end: a FIFO nobody reads is an error at once, and a reader that stops
// reading for StallTimeoutMs ends the export with an error.
class SafeFileWriter
{
public:
    static constexpr int StallTimeoutMs = 10000;

    // On failure *errorMessage says what went wrong and what to do ("Cannot write …: …").
    static bool write(const QString &path, QByteArrayView bytes, QString *errorMessage);

    // Keeps one descriptor open (on /dev/null) that write() gives back to the system just
    // before it opens the target and takes again afterwards: a process that has run out of
    // descriptors (EMFILE, thousands of connections) can still export what it shows.
    // Call once at start; further calls only re-take a reserve that was lost.
    static bool reserveDescriptor();
    static bool hasReservedDescriptor();
    // Gives the reserve back (tests; a process that ends does not need to).
    static void releaseReservedDescriptor();
};

} // namespace SocketScope
