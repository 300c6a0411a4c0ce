// libFuzzer target over Delta checkpoint decoding (untrusted Parquet files in _delta_log): each
// input is opened as a Parquet file and decoded as checkpoint actions through the nested record
// assembler, with and without page CRC checks. Errors are expected; any crash, hang, sanitizer
// report or huge allocation is a bug. Seed it with the golden checkpoints:
//   delta_checkpoint_fuzz corpus/ ../shared/testdata/delta/*/delta/_delta_log/*.checkpoint*.parquet
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plinth/storage/delta/checkpoint_parquet.h"
#include "plinth/storage/parquet/file_io.h"
#include "plinth/storage/parquet/file_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (bool verify : {true, false}) {
    auto reader = plinth::parquet::ParquetReader::Open(
        plinth::parquet::NewMemoryInputFile(std::string(reinterpret_cast<const char*>(data), size)),
        {.verify_checksums = verify});
    if (!reader.ok()) return 0;
    std::vector<plinth::delta::Action> actions;
    (void)plinth::delta::internal::ReadCheckpointParquet(**reader, &actions);
  }
  return 0;
}
