// The SQLite job store and the blob folder on their own: WAL mode, the job lifecycle,
// restart recovery (running → queued, at most 3 attempts), file-name sanitising, ids.
#include "service/ApiKeys.h"
#include "service/BlobStore.h"
#include "service/SqliteJobStore.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>

using namespace mm::service;
using mm::test::TempDir;

namespace {

JobRecord job(const std::string& id, const std::string& owner, std::int64_t created)
{
    JobRecord j;
    j.id = id;
    j.owner = owner;
    j.createdMs = j.updatedMs = created;
    j.spec = {{"project_id", "p"}};
    return j;
}

} // namespace

TEST(JobStore, UsesWalAndStrictTable)
{
    TempDir dir;
    const std::string path = dir.file("jobs.sqlite3");
    { SqliteJobStore store(path); }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
    sqlite3_finalize(st);
    // STRICT: a text in an INTEGER column is refused.
    char* err = nullptr;
    EXPECT_NE(sqlite3_exec(db, "INSERT INTO jobs (id, owner, status, attempts, created_ms, updated_ms, spec) "
                               "VALUES ('x', '', 'queued', 'many', 0, 0, '{}')",
                           nullptr, nullptr, &err),
              SQLITE_OK);
    sqlite3_free(err);
    sqlite3_close(db);
}

TEST(JobStore, LifecycleListAndCounts)
{
    TempDir dir;
    SqliteJobStore store(dir.file("jobs.sqlite3"));
    store.create(job("a1", "alice", 1000));
    store.create(job("b2", "bob", 2000));
    store.create(job("a3", "alice", 3000));
    const auto all = store.list(std::nullopt, 10);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].id, "a3"); // newest first
    EXPECT_EQ(store.list(std::string("alice"), 10).size(), 2u);

    EXPECT_TRUE(store.markRunning("a1"));
    EXPECT_FALSE(store.markRunning("a1")); // not queued any more
    store.setProgress("a1", "mixing", 0.4);
    auto a1 = store.get("a1");
    ASSERT_TRUE(a1);
    EXPECT_EQ(a1->status, "running");
    EXPECT_EQ(a1->stage, "mixing");
    EXPECT_DOUBLE_EQ(a1->progress, 0.4);
    EXPECT_EQ(a1->attempts, 1);
    store.finish("a1", status::kSucceeded, "", "", {{"integrated_lufs", -14.0}});
    a1 = store.get("a1");
    EXPECT_EQ(a1->status, "succeeded");
    EXPECT_DOUBLE_EQ(a1->progress, 1.0);
    EXPECT_DOUBLE_EQ(a1->summary["integrated_lufs"].get<double>(), -14.0);

    EXPECT_TRUE(store.cancelQueued("b2"));
    EXPECT_FALSE(store.cancelQueued("a1"));
    const auto counts = store.countByStatus();
    EXPECT_EQ(counts.at("succeeded"), 1);
    EXPECT_EQ(counts.at("cancelled"), 1);
    EXPECT_EQ(counts.at("queued"), 1);
    EXPECT_EQ(counts.at("running"), 0);
    EXPECT_TRUE(store.remove("b2"));
    EXPECT_FALSE(store.get("b2"));
    EXPECT_EQ(store.finishedBefore(nowMs() + 1000).size(), 1u);
}

TEST(JobStore, RecoverQueuesRunningJobsAtMostThreeTimes)
{
    TempDir dir;
    const std::string path = dir.file("jobs.sqlite3");
    {
        SqliteJobStore store(path);
        store.create(job("fresh", "", 1));
        store.create(job("once", "", 2));
        store.create(job("thrice", "", 3));
        store.markRunning("once");
        for (int i = 0; i < 3; ++i) {
            store.markRunning("thrice");
            if (i < 2)
                store.recover(99); // back to queued for the next start
        }
    }
    SqliteJobStore store(path); // "restart"
    const auto queued = store.recover(3);
    EXPECT_EQ(queued, (std::vector<std::string>{"fresh", "once"}));
    EXPECT_EQ(store.get("once")->status, "queued");
    EXPECT_EQ(store.get("once")->attempts, 1);
    const auto thrice = store.get("thrice");
    EXPECT_EQ(thrice->status, "failed");
    EXPECT_EQ(thrice->errorCode, "interrupted");
    EXPECT_EQ(thrice->attempts, 3);
}

TEST(BlobStore, SafeFileNames)
{
    for (const char* ok : {"kick.wav", "Kick 01.WAV", "bass-di_take2.flac"})
        EXPECT_TRUE(isSafeFileName(ok)) << ok;
    for (const char* bad : {"", ".", "..", "../kick.wav", "a/b.wav", "a\\b.wav", ".hidden", "x..wav", "tab\t.wav"})
        EXPECT_FALSE(isSafeFileName(bad)) << bad;
    TempDir dir;
    LocalBlobStore blobs(dir.path());
    const auto in = blobs.createJob("abc");
    EXPECT_TRUE(std::filesystem::is_directory(in));
    EXPECT_THROW(blobs.inputPath("abc", "../x"), std::exception);
    blobs.remove("abc");
    EXPECT_FALSE(std::filesystem::exists(in));
}

TEST(ApiKeysTest, IdsAreRandomAndKeysHashed)
{
    std::set<std::string> ids;
    for (int i = 0; i < 100; ++i)
        ids.insert(randomId());
    EXPECT_EQ(ids.size(), 100u);
    EXPECT_EQ(randomId().size(), 32u);
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const auto keys = ApiKeys::fromHashes({sha256Hex("secret")});
    EXPECT_EQ(keys.ownerFor("Bearer secret"), sha256Hex("secret"));
    EXPECT_FALSE(keys.ownerFor("Bearer other"));
    EXPECT_FALSE(keys.ownerFor("secret"));
}
