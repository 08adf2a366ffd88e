// Writes the archive_fuzzer's seed corpus: each fixed archive
// (testing/fixed_archives.h), prefixed with the flags byte of each load the fuzzer
// knows (one or named, hardened or faithful; archive_fuzzer.cc).
// Usage: make_archive_seeds OUT_DIR   (e.g. testdata/archive_fuzzer/corpus)
#include <cstdio>
#include <fstream>
#include <string>

#include "testing/fixed_archives.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  int written = 0;
  for (const auto& a : tsh::test::FixedArchives()) {
    for (unsigned flags = 0; flags < 4; ++flags) {
      if (((flags & 1) != 0) != a.named) continue;  // The load that fits.
      std::string name = a.label + (flags & 2 ? ".faithful" : ".hardened");
      for (char& c : name) {
        if (c == ':' || c == '[' || c == ']' || c == ',') c = '_';
      }
      std::ofstream out(std::string(argv[1]) + "/" + name, std::ios::binary);
      out.put(static_cast<char>(flags));
      out.write(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size());
      if (!out) {
        fprintf(stderr, "cannot write %s\n", name.c_str());
        return 1;
      }
      ++written;
    }
  }
  fprintf(stderr, "%d seeds written to %s\n", written, argv[1]);
  return 0;
}
