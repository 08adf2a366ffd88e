// What the fault matrix writes: the JSON every tool reads, the Markdown a
// person reads, and the pin files the regression test compares against.
//
// Pin files hold one line per cell, "<Cell::Key()> -> <outcome>", in the
// matrix's enumeration order, one file per mode (faithful.txt,
// hardened.txt), under a header that names their provenance (the LibTorch
// version and the implementation they were made with): pins of another
// provenance are refused, never compared. Messages are not pinned (they
// name offsets a harmless change may move); outcomes are.
//
// Writers return false (and say why on stderr) when a file cannot be
// written; nothing throws.
#ifndef TSH_CONFORMANCE_MATRIX_REPORT_H_
#define TSH_CONFORMANCE_MATRIX_REPORT_H_

#include <map>
#include <string>
#include <vector>

#include "conformance/matrix/cell.h"

namespace tsh::matrix {

struct Row {
  Cell cell;
  Verdict verdict;
};

// A clean run's call counts, and how many k's the matrix took of each.
struct CleanRun {
  Stack stack;
  test::Entry entry;
  Mode mode;
  std::map<std::string, uint64_t> calls;    // op -> calls in the clean run
  std::map<std::string, uint64_t> sampled;  // op -> k's enumerated (< calls when capped)
};

// The extensions (bridge/callbacks.h) the hardened adapters found in the
// implementation under test; one hardened guarantee needs flush
// (HardenedLimits).
struct Extensions {
  bool flush = true;
  bool last_error = true;
};

struct MatrixRun {
  std::vector<Row> rows;
  std::vector<CleanRun> clean;
  std::vector<std::string> notes;  // Caps taken, clean runs that failed, ...
  double seconds = 0;
  Extensions extensions;
};

// What a run's outcomes were made with.
struct Provenance {
  std::string libtorch;        // TORCH_VERSION of the headers built against
  std::string implementation;  // the implementation under test (impl_abi.h)
};

// The command that makes pins for this LibTorch and implementation, under
// --pin_dir=$PWD/testdata/fault_matrix.
std::string PinCommand(const Provenance& provenance);

// The hardened cells that break a hardened guarantee, as "Key -> outcome:
// message" lines: an abort, silent_loss, hang or ownership cell, and a
// legal transient fault (IsLegalTransient) that did not round-trip. These
// are invariants: no pin can accept them. Only a HardenedLimits cell is
// spared.
std::vector<std::string> HardenedViolations(const MatrixRun& run);

// The hardened cells that miss a guarantee only because the implementation
// lacks the extension it needs, as "Key -> outcome: why" lines: without
// flush, a silent_loss under a BufWriter (its last flush runs when it is
// dropped, and no callback reports that flush's error). With it there are
// none. Reported beside the violations. (Without last_error a legal
// transient fault still round-trips: a bare `false` is retried once,
// stream_failure.h.)
std::vector<std::string> HardenedLimits(const MatrixRun& run);

// The cells, of either mode, whose error breaks the promise of its first
// line (Verdict::error_line_problem), as "mode Key -> outcome: problem"
// lines. An invariant too: no pin can accept one.
std::vector<std::string> ErrorLineViolations(const MatrixRun& run);

bool WriteJson(const MatrixRun& run, const std::string& path);
bool WriteMarkdown(const MatrixRun& run, const std::string& path);
bool WritePins(const MatrixRun& run, Mode mode, const Provenance& provenance,
               const std::string& path);

// Differences between the run and a pin file, one readable line each
// ("changed: KEY: pinned X, now Y", "new: ...", "missing: ..."). With
// `subset` (a --quick run), neither pinned cells the run did not enumerate
// nor cells the pins do not hold (calls the full run's sample skipped) are
// reported. A missing pin file, or one of another provenance, is one
// difference that says so.
std::vector<std::string> DiffPins(const MatrixRun& run, Mode mode,
                                  const Provenance& provenance, const std::string& path,
                                  bool subset);

// How the run's outcomes moved from those of an existing pin file, for a
// reviewer: "faithful: abort -> clean_error: 12 cells" lines, plus cells
// new or gone. Empty when nothing moved or there is no such file.
std::vector<std::string> PinMoves(const MatrixRun& run, Mode mode,
                                  const std::string& path);

}  // namespace tsh::matrix

#endif  // TSH_CONFORMANCE_MATRIX_REPORT_H_
