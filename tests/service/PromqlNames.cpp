#include "PromqlNames.h"

#include <algorithm>
#include <cctype>

namespace mm::test {
namespace {

bool identStart(char c)
{
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}

bool identChar(char c)
{
    return identStart(c) || std::isdigit(static_cast<unsigned char>(c));
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Words of the PromQL grammar (case-insensitive) that are never metric names: aggregation
// operators (also when `by (…)` comes between them and their parenthesis), binary and
// set operators, modifiers, and the special numbers.
const std::set<std::string> kKeywords{"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
                                      "topk", "quantile", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                                      "and", "or", "unless", "atan2", "offset", "inf", "nan"};
// Keywords followed by a parenthesised list of label names.
const std::set<std::string> kLabelLists{"by", "without", "on", "ignoring", "group_left", "group_right"};

std::size_t skipSpaces(const std::string& s, std::size_t i)
{
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
        ++i;
    return i;
}

// `i` at an opening quote; returns the index after the closing one, and the contents.
std::size_t skipString(const std::string& s, std::size_t i, std::string* value = nullptr)
{
    const char quote = s[i++];
    std::string v;
    while (i < s.size() && s[i] != quote) {
        if (s[i] == '\\' && quote != '`' && i + 1 < s.size())
            ++i;
        v += s[i++];
    }
    if (value)
        *value = v;
    return std::min(i + 1, s.size());
}

// `i` at `open`; returns the index after the matching `close`, skipping strings inside.
std::size_t skipGroup(const std::string& s, std::size_t i, char open, char close)
{
    int depth = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '"' || c == '\'' || c == '`') {
            i = skipString(s, i);
            continue;
        }
        if (c == open)
            ++depth;
        else if (c == close && --depth == 0)
            return i + 1;
        ++i;
    }
    return i;
}

// `i` at '{': adds the value of a `__name__` equality matcher; returns the index after '}'.
std::size_t readMatchers(const std::string& s, std::size_t i, std::set<std::string>& names)
{
    ++i;
    while (i < s.size() && s[i] != '}') {
        const char c = s[i];
        if (c == '"' || c == '\'' || c == '`') {
            i = skipString(s, i);
        } else if (identStart(c)) {
            const std::size_t start = i;
            while (i < s.size() && identChar(s[i]))
                ++i;
            const std::string label = s.substr(start, i - start);
            std::size_t j = skipSpaces(s, i);
            if (label == "__name__" && j < s.size() && s[j] == '=' && (j + 1 >= s.size() || s[j + 1] != '~')) {
                j = skipSpaces(s, j + 1);
                if (j < s.size() && (s[j] == '"' || s[j] == '\'' || s[j] == '`')) {
                    std::string value;
                    i = skipString(s, j, &value);
                    names.insert(value);
                }
            }
        } else {
            ++i;
        }
    }
    return std::min(i + 1, s.size());
}

} // namespace

std::set<std::string> metricNamesIn(const std::string& expr)
{
    std::set<std::string> names;
    const std::string& s = expr;
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '"' || c == '\'' || c == '`') {
            i = skipString(s, i);
        } else if (c == '{') {
            i = readMatchers(s, i, names);
        } else if (c == '[') {
            i = skipGroup(s, i, '[', ']'); // range or subquery: durations only
        } else if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
            while (i < s.size() && (identChar(s[i]) || s[i] == '.')) // 0.95, 1e3, 0x1f, 5m (offset)
                ++i;
        } else if (identStart(c)) {
            const std::size_t start = i;
            while (i < s.size() && identChar(s[i]))
                ++i;
            const std::string word = s.substr(start, i - start);
            const std::size_t next = skipSpaces(s, i);
            const bool call = next < s.size() && s[next] == '(';
            if (kLabelLists.count(lower(word)) && call)
                i = skipGroup(s, next, '(', ')');
            else if (!call && !kKeywords.count(lower(word)))
                names.insert(word);
        } else {
            ++i;
        }
    }
    return names;
}

} // namespace mm::test
