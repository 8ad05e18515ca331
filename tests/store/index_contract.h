// The Index contract (store/index.h), written once and run against every implementation
// (STYLE rule 13). An implementation's test instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, IndexContractTest,
//                            ::testing::Values(IndexContractParam{"Sqlite", make_sqlite}),
//                            index_contract_name);
//
// and adds index_contract.cpp to its test sources. The factory returns a fresh, empty index
// whose files (if it has any) live under the given scratch directory.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/index.h"
#include "test_dir.h"

namespace arca::store::testing {

struct IndexContractParam {
  std::string name;
  std::function<Result<std::unique_ptr<Index>>(const std::filesystem::path& dir)> make;
};

inline std::string index_contract_name(const ::testing::TestParamInfo<IndexContractParam>& info) {
  return info.param.name;
}

class IndexContractTest : public ::testing::TestWithParam<IndexContractParam> {
 protected:
  void SetUp() override;

  // Declared before index_ so the index is closed before its directory is removed, on
  // success and failure alike.
  arca::test::TempDir scratch_;
  const std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<Index> index_;
};

// A complete, valid instance; `n` makes its UIDs, blob and digest distinct.
StoredInstance sample_instance(int n, const std::string& study_uid = "1.2.3.1",
                               const std::string& series_uid = "1.2.3.1.1");

// index.begin(), failing the test on error.
std::unique_ptr<IndexTransaction> begin_tx(Index& index);

// A matcher built field by field (for kinds parse_matcher does not produce).
Matcher make_matcher(QueryAttribute attribute, MatchKind kind, std::vector<std::string> values,
                     std::string low = {}, std::string high = {});

// Commits one put and returns its result (fails the test on error).
PutResult put_one(Index& index, const StoredInstance& instance,
                  ConflictPolicy policy = ConflictPolicy::kKeepFirst);

}  // namespace arca::store::testing
