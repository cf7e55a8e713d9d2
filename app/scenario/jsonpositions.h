// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

namespace SocketScope {

// A place in a text file as an editor shows it: both from 1, the column in characters.
struct TextPosition
{
    int line = 1;
    int column = 1;
};

// Where each value of a JSON document sits in its text, by path ("steps[2].actions[0].count"),
// so that a message about a field can name its line and column. QJsonDocument checks the
// syntax but keeps no positions; this scanner runs on text it has already accepted.
class JsonPositions
{
public:
    // `utf8` must be a document QJsonDocument::fromJson accepted.
    explicit JsonPositions(QByteArray utf8);

    // The value at `path` ("" is the root), or its key when it is an object member. When the
    // path is not in the document, the nearest enclosing value that is.
    TextPosition valueAt(const QString &path) const;
    TextPosition keyAt(const QString &path) const;

    // Line and column of a byte offset, e.g. QJsonParseError::offset.
    static TextPosition positionOf(const QByteArray &utf8, qsizetype offset);
    // "steps[2]" + "title" -> "steps[2].title"; "" + "steps" -> "steps".
    static QString member(const QString &path, const QString &key);
    static QString element(const QString &path, qsizetype index);

private:
    qsizetype scanValue(qsizetype at, const QString &path, int depth);
    qsizetype skipSpace(qsizetype at) const;
    qsizetype skipString(qsizetype at) const; // at the opening quote; returns after the closing
    QString stringAt(qsizetype at) const; // the decoded key starting at its opening quote
    qsizetype offsetFor(const QHash<QString, qsizetype> &offsets, QString path) const;

    QByteArray m_text;
    QHash<QString, qsizetype> m_values;
    QHash<QString, qsizetype> m_keys;
};

} // namespace SocketScope
