// The static members of the sample-corpus fixture E2eSample (e2e_fixtures.hpp).
#include "e2e_fixtures.hpp"

namespace news::test::e2e {

TempDir* E2eSample::dir_ = nullptr;
Output* E2eSample::first_ = nullptr;

}  // namespace news::test::e2e
