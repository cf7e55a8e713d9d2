// SPDX-License-Identifier: MIT
#include "jsonpositions.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

namespace SocketScope {

namespace {

// Deeper than any scenario needs; deeper values are attributed to their ancestors.
constexpr int MaxDepth = 64;

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

JsonPositions::JsonPositions(QByteArray utf8) : m_text(std::move(utf8))
{
    scanValue(skipSpace(0), QString(), 0);
}

QString JsonPositions::member(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

QString JsonPositions::element(const QString &path, qsizetype index)
{
    return path + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

qsizetype JsonPositions::skipSpace(qsizetype at) const
{
    while (at < m_text.size() && isSpace(m_text.at(at)))
        ++at;
    return at;
}

qsizetype JsonPositions::skipString(qsizetype at) const
{
    ++at; // the opening quote
    while (at < m_text.size() && m_text.at(at) != '"')
        at += m_text.at(at) == '\\' ? 2 : 1;
    return qMin(at + 1, m_text.size());
}

QString JsonPositions::stringAt(qsizetype at) const
{
    // A key is a JSON string; let QJsonDocument decode its escapes.
    const QByteArray literal = m_text.mid(at, skipString(at) - at);
    const QJsonDocument wrapped
            = QJsonDocument::fromJson(QByteArray("[") + literal + QByteArray("]"));
    return wrapped.isArray() ? wrapped.array().at(0).toString() : QString();
}

qsizetype JsonPositions::scanValue(qsizetype at, const QString &path, int depth)
{
    if (at >= m_text.size())
        return at;
    if (depth <= MaxDepth)
        m_values.insert(path, at);
    const char c = m_text.at(at);
    if (c == '"')
        return skipString(at);
    if (c == '{' || c == '[') {
        const bool object = c == '{';
        const char close = object ? '}' : ']';
        at = skipSpace(at + 1);
        qsizetype index = 0;
        while (at < m_text.size() && m_text.at(at) != close) {
            QString childPath;
            if (object) {
                childPath = member(path, stringAt(at));
                if (depth < MaxDepth)
                    m_keys.insert(childPath, at);
                at = skipSpace(skipString(at));
                at = skipSpace(at + 1); // the colon
            } else {
                childPath = element(path, index++);
            }
            at = skipSpace(scanValue(at, childPath, depth + 1));
            if (at < m_text.size() && m_text.at(at) == ',')
                at = skipSpace(at + 1);
        }
        return qMin(at + 1, m_text.size());
    }
    // A number, true, false or null: up to the next delimiter.
    while (at < m_text.size() && !isSpace(m_text.at(at)) && m_text.at(at) != ','
           && m_text.at(at) != '}' && m_text.at(at) != ']')
        ++at;
    return at;
}

qsizetype JsonPositions::offsetFor(const QHash<QString, qsizetype> &offsets, QString path) const
{
    for (;;) {
        const auto found = offsets.constFind(path);
        if (found != offsets.constEnd())
            return *found;
        const qsizetype cut
                = qMax(path.lastIndexOf(QLatin1Char('.')), path.lastIndexOf(QLatin1Char('[')));
        if (cut <= 0)
            return offsets.value(QString(), 0);
        path.truncate(cut);
    }
}

TextPosition JsonPositions::valueAt(const QString &path) const
{
    return positionOf(m_text, offsetFor(m_values, path));
}

TextPosition JsonPositions::keyAt(const QString &path) const
{
    if (m_keys.contains(path))
        return positionOf(m_text, m_keys.value(path));
    return valueAt(path);
}

TextPosition JsonPositions::positionOf(const QByteArray &utf8, qsizetype offset)
{
    TextPosition position;
    offset = qBound<qsizetype>(0, offset, utf8.size());
    for (qsizetype i = 0; i < offset; ++i) {
        const auto byte = static_cast<unsigned char>(utf8.at(i));
        if (byte == '\n') {
            ++position.line;
            position.column = 1;
        } else if ((byte & 0xC0) != 0x80) { // not a UTF-8 continuation byte
            ++position.column;
        }
    }
    return position;
}

} // namespace SocketScope
