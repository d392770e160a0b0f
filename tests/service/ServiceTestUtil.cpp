#include "ServiceTestUtil.h"

#include <sndfile.h>

#include <cmath>
#include <numbers>
#include <random>

namespace mm::test {

TestServer::TestServer(service::ServiceConfig config)
{
    server_ = std::make_unique<service::ApiServer>(std::move(config));
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->listen(); });
    // httplib's stop() does nothing until listen has set is_running(): wait for it.
    for (int i = 0; i < 500 && !server_->isRunning(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!server_->isRunning())
        throw std::runtime_error("test server did not start");
}

void TestServer::stop()
{
    if (!server_)
        return;
    server_->stop();
    thread_.join();
    server_.reset();
}

httplib::Client TestServer::client() const
{
    httplib::Client cli("127.0.0.1", port_);
    cli.set_read_timeout(60, 0);
    cli.set_connection_timeout(5, 0);
    return cli;
}

service::ServiceConfig testConfig(const std::string& dataDir)
{
    service::ServiceConfig c;
    c.host = "127.0.0.1";
    c.port = 0;
    c.dataDir = dataDir;
    c.workers = 2;
    c.retentionHours = 0;
    return c;
}

std::string writeStem(const TempDir& dir, const std::string& name, const std::string& kind, double seconds)
{
    constexpr int kRate = 44100;
    const auto frames = static_cast<std::size_t>(seconds * kRate);
    AudioBuffer b;
    if (kind == "pad") {
        b = pinkNoise(kRate, 2, seconds, -24.0, 11);
    } else {
        b = AudioBuffer(1, frames);
        std::mt19937 rng(7);
        std::normal_distribution<double> noise(0.0, 1.0);
        const auto step = static_cast<std::size_t>(0.25 * kRate);
        for (std::size_t i = 0; i < frames; ++i) {
            const double t = static_cast<double>(i % step) / kRate;
            double v = 0.0;
            if (kind == "bass") {
                const double f = (i / (2 * step)) % 2 == 0 ? 55.0 : 82.41;
                v = 0.4 * std::sin(2.0 * std::numbers::pi * f * static_cast<double>(i) / kRate);
            } else if ((i / step) % 2 == 0) { // drums: kick on the beat, noise snap between
                v = 0.7 * std::exp(-t / 0.06) * std::sin(2.0 * std::numbers::pi * (50.0 + 60.0 * std::exp(-t / 0.02)) * t);
            } else {
                v = 0.35 * std::exp(-t / 0.04) * noise(rng);
            }
            b.channel(0)[i] = static_cast<float>(v);
        }
    }
    const std::string path = dir.file(name);
    writeFile(path, b, kRate, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    return path;
}

std::chrono::seconds budget(int releaseSeconds)
{
#if defined(__SANITIZE_ADDRESS__)
    return std::chrono::seconds(releaseSeconds * 10);
#else
    return std::chrono::seconds(releaseSeconds);
#endif
}

} // namespace mm::test
