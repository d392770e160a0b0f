#pragma once
// Progress on stderr: a redrawn bar when stderr is a terminal, plain lines otherwise
// (one per stage and every 25 %), so logs stay readable.
#include <mutex>
#include <string>

namespace mm::cli {

class ProgressPrinter {
public:
    ProgressPrinter();
    ~ProgressPrinter();
    void operator()(const std::string& stage, double fraction);
    void finish();

private:
    bool tty_;
    std::mutex mutex_;
    std::string stage_;
    int lastQuarter_ = -1;
    int lastPercent_ = -1;
    bool open_ = false;
};

} // namespace mm::cli
