// Micro-benchmarks of the money type on the values a CUR carries.
#include <benchmark/benchmark.h>

#include <string_view>
#include <vector>

#include "rebill/core/decimal.h"

namespace {

constexpr std::string_view kValues[] = {"0.0000300172", "4.0E-7",       "-1.3E-9", "22.32",
                                        "0.0000000000", "1.2345678901", "744",     "-25"};

void BM_Parse(benchmark::State& state) {
  for (auto _ : state) {
    for (std::string_view v : kValues) {
      auto d = rebill::Decimal::Parse(v);
      benchmark::DoNotOptimize(d);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(std::size(kValues)));
}
BENCHMARK(BM_Parse);

void BM_SplitByWeights(benchmark::State& state) {
  std::vector<rebill::Decimal> weights;
  for (int i = 0; i < state.range(0); ++i) weights.push_back(rebill::Decimal::FromInt(i + 1));
  rebill::Decimal total = rebill::Decimal::Parse("12345.678901234").value();
  for (auto _ : state) {
    auto parts = rebill::SplitByWeights(total, weights);
    benchmark::DoNotOptimize(parts);
  }
}
BENCHMARK(BM_SplitByWeights)->Arg(10)->Arg(1000);

}  // namespace
