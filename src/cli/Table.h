#pragma once
// A plain aligned text table for terminal output.
#include <string>
#include <vector>

namespace mm::cli {

class Table {
public:
    explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    /// Column 0 left-aligned, the rest right-aligned (numbers), two spaces apart.
    std::string render() const;

private:
    std::vector<std::vector<std::string>> rows_;
};

/// `value` with `decimals` places, or "-inf" / "n/a" for non-finite values.
std::string fmt(double value, int decimals = 1);

} // namespace mm::cli
