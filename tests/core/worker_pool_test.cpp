#include "core/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace arca {
namespace {

TEST(WorkerPoolTest, RunsTasksOnAnotherThread) {
  WorkerPool pool(2);
  std::promise<std::thread::id> ran;
  ASSERT_TRUE(pool.try_run([&] { ran.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(ran.get_future().get(), std::this_thread::get_id());
  EXPECT_EQ(pool.threads(), 1u);
}

TEST(WorkerPoolTest, RefusesWhenEveryWorkerIsBusy) {
  WorkerPool pool(2);
  std::promise<void> release;
  std::shared_future<void> go = release.get_future().share();
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(pool.try_run([go] { go.wait(); }));
  EXPECT_FALSE(pool.try_run([] {}));  // two busy, no third: the caller runs it itself
  release.set_value();
}

TEST(WorkerPoolTest, DestructionWaitsForHandedOverTasks) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(3);
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(pool.try_run([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        ++done;
      }));
    }
  }
  EXPECT_EQ(done.load(), 3);
}

TEST(WorkerPoolTest, NoWorkersMeansTheCallerRunsEverything) {
  WorkerPool pool(0);
  EXPECT_FALSE(pool.try_run([] {}));
  EXPECT_EQ(pool.threads(), 0u);
}

}  // namespace
}  // namespace arca
