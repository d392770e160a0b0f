#include "cli/Progress.h"

#include <unistd.h>

#include <cstdio>

namespace mm::cli {

ProgressPrinter::ProgressPrinter() : tty_(isatty(fileno(stderr)) != 0) {}

ProgressPrinter::~ProgressPrinter()
{
    finish();
}

void ProgressPrinter::operator()(const std::string& stage, double fraction)
{
    std::lock_guard lock(mutex_);
    const int percent = static_cast<int>(fraction * 100.0 + 0.5);
    if (stage != stage_) {
        if (tty_ && open_)
            std::fputc('\n', stderr);
        stage_ = stage;
        lastQuarter_ = -1;
        lastPercent_ = -1;
    }
    if (tty_) {
        if (percent == lastPercent_)
            return;
        lastPercent_ = percent;
        const int width = 30, filled = percent * width / 100;
        std::fprintf(stderr, "\r%-14s [%s%s] %3d%%", stage.c_str(), std::string(static_cast<std::size_t>(filled), '#').c_str(),
                     std::string(static_cast<std::size_t>(width - filled), '.').c_str(), percent);
        open_ = true;
    } else {
        const int quarter = percent / 25;
        if (quarter == lastQuarter_)
            return;
        lastQuarter_ = quarter;
        std::fprintf(stderr, "%s: %d%%\n", stage.c_str(), quarter * 25);
    }
    std::fflush(stderr);
}

void ProgressPrinter::finish()
{
    std::lock_guard lock(mutex_);
    if (tty_ && open_)
        std::fputc('\n', stderr);
    open_ = false;
}

} // namespace mm::cli
