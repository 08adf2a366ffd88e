"""Tests of tools/fuzz's crash attribution (crash_site), on report shapes
that AddressSanitizer, UBSan and libFuzzer print: a CI fuzzing run fails
only when a crash is in this project's code, so the attribution decides
what may land; and of its coverage table's uncovered lines and reasons."""
import importlib.machinery
import importlib.util
import os
import sys
import tempfile
import unittest

# tools/fuzz is loaded from the source tree: leave no bytecode cache there.
sys.dont_write_bytecode = True

_PATH = os.path.join(os.path.dirname(os.path.realpath(__file__)), "fuzz")
_loader = importlib.machinery.SourceFileLoader("tools_fuzz", _PATH)
_spec = importlib.util.spec_from_loader("tools_fuzz", _loader)
fuzz = importlib.util.module_from_spec(_spec)
_loader.exec_module(fuzz)

LIBTORCH_SEGV = """\
==1234==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000008 (pc 0x7f1 bp 0x7f2 sp 0x7f3 T0)
==1234==The signal is caused by a READ memory access.
    #0 0x7f3a2c1b0e4d in std::__cxx11::basic_string<char>::basic_string(std::__cxx11::basic_string<char> const&) /usr/lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/basic_string.h:540:9
    #1 0x7f3a2d9e2f10  (/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13+0x4be2f10) (BuildId: 0123abcd)
    #2 0x7f3a2d9e3a20 in torch::jit::Source::findSourceRangeThatGenerated(torch::jit::SourceRange const&) (/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13+0x4be3a20)
    #3 0x55d4c3a1b2c3 in tsh::LoadTensor(tsh::ReadStream&, tsh::Mode) bridge/tensor_io.cc:88:10
    #4 0x55d4c3a0a1b2 in LLVMFuzzerTestOneInput fuzz/archive_fuzzer.cc:61:5
    #5 0x55d4c39f0000 in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) /build/llvm-toolchain-14-1/compiler-rt/lib/fuzzer/FuzzerLoop.cpp:611:15

SUMMARY: AddressSanitizer: SEGV (/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13+0x4be2f10)
"""

OURS_OVERFLOW = """\
==77==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000011 at pc 0x55 bp 0x7ff sp 0x7fe
READ of size 1 at 0x602000000011 thread T0
    #0 0x55d4c3a00000 in __asan_memcpy (/tmp/read_faults_fuzzer+0x4a0000) (BuildId: ff)
    #1 0x55d4c3a1b2c3 in tsh::Cursor::read(unsigned char*, unsigned long) /proc/self/cwd/bridge/cursor.cc:42:7
    #2 0x7f3a2d9e3a20 in caffe2::serialize::PyTorchStreamReader::read(unsigned long, char*, unsigned long) (/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13+0x4be3a20)

0x602000000011 is located 0 bytes to the right of 1-byte region
allocated by thread T0 here:
    #0 0x55d4c3a00001 in operator new(unsigned long) (/tmp/read_faults_fuzzer+0x4a0001)
    #1 0x7f3a2d9e3a21 in c10::alloc_cpu(unsigned long) (/lib/x86_64-linux-gnu/libc10.so+0x1a21)
"""

LIBTORCH_BLOWUP = """\
==9==ERROR: libFuzzer: out-of-memory (malloc(4294967295))
    #0 0x55d4c3a00002 in __sanitizer_print_stack_trace (/tmp/archive_fuzzer+0x4a0002)
    #1 0x55d4c3a00003 in fuzzer::PrintStackTrace() (/tmp/archive_fuzzer+0x4a0003)
    #2 0x55d4c3a00004 in malloc (/tmp/archive_fuzzer+0x4a0004)
    #3 0x7f3a2c000000 in operator new(unsigned long) (/lib/x86_64-linux-gnu/libstdc++.so.6+0xa5b2d)
    #4 0x7f3a2d9e3a22 in torch::jit::Unpickler::setInput(unsigned long) (/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13+0x4be3a22)
    #5 0x55d4c3a1b2c4 in tsh::LoadNamedTensors(tsh::ReadStream&, tsh::Mode) bridge/tensor_io.cc:120:3
"""

OURS_UBSAN = """\
bridge/hardened_read_adapter.cc:77:21: runtime error: unsigned integer overflow: 0 - 1 cannot be represented in type 'unsigned long'
SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior bridge/hardened_read_adapter.cc:77:21
"""

RSS_LIMIT = """\
==5== ERROR: libFuzzer: out-of-memory (used: 4100Mb; exceeds: 4096Mb)
   To change the out-of-memory limit use -rss_limit_mb=<N>
SUMMARY: libFuzzer: out-of-memory
"""

STD_ABORT_IN_OURS = """\
==3==ERROR: AddressSanitizer: ABRT on unknown address 0x000000000003 (pc 0x7f bp 0x7f sp 0x7f T0)
    #0 0x7f3a2b000000 in __pthread_kill_implementation nptl/pthread_kill.c:44:76
    #1 0x7f3a2b000001 in raise signal/../sysdeps/posix/raise.c:26:13
    #2 0x7f3a2b000002 in abort stdlib/abort.c:79:7
    #3 0x7f3a2c000003  (/lib/x86_64-linux-gnu/libstdc++.so.6+0x9a0f3)
    #4 0x7f3a2c000004 in std::__throw_out_of_range_fmt(char const*, ...) (/lib/x86_64-linux-gnu/libstdc++.so.6+0xa5b2e)
    #5 0x55d4c3a1b2c5 in tsh::BufReader::fill_buf() /proc/self/cwd/bridge/buf_reader.cc:31:9
"""

# A C function of the instrumented readers (miniz) under a frame of ours.
READERS_SEGV = """\
==7==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x55 bp 0x7f sp 0x7f T0)
    #0 0x55d4c3b00000 in mz_zip_reader_locate_file_v2 /proc/self/cwd/external/libtorch_source_1_13/src/third_party/miniz-2.1.0/miniz.c:7211:9
    #1 0x55d4c3a1b2c5 in tsh::ReadAdapter::read(unsigned long, void*, unsigned long, char const*) const /proc/self/cwd/bridge/read_adapter.cc:40:9
"""

READERS_UBSAN = """\
external/libtorch_source_2_6/src/third_party/miniz-3.0.2/miniz.c:4603:133: runtime error: applying zero offset to null pointer
SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior
"""


class CrashSiteTest(unittest.TestCase):
    def test_frame_in_the_instrumented_readers_is_libtorch(self):
        site, frame = fuzz.crash_site(READERS_SEGV, True)
        self.assertEqual(site, "libtorch")
        self.assertIn("mz_zip_reader_locate_file_v2", frame)

    def test_ubsan_error_in_the_instrumented_readers_is_libtorch(self):
        self.assertEqual(fuzz.crash_site(READERS_UBSAN, True)[0], "libtorch")

    def test_libtorch_frame_above_ours_is_libtorch(self):
        site, frame = fuzz.crash_site(LIBTORCH_SEGV, True)
        self.assertEqual(site, "libtorch")
        self.assertIn("libtorch_cpu.so", frame)

    def test_overflow_in_our_stream_is_ours(self):
        site, frame = fuzz.crash_site(OURS_OVERFLOW, True)
        self.assertEqual(site, "ours")
        self.assertIn("bridge/cursor.cc", frame)

    def test_only_the_first_stack_counts(self):
        # The allocation stack names c10: the access was still in our code.
        self.assertEqual(fuzz.crash_site(OURS_OVERFLOW, True)[0], "ours")

    def test_blowup_allocated_by_libtorch_is_libtorch(self):
        site, frame = fuzz.crash_site(LIBTORCH_BLOWUP, True)
        self.assertEqual(site, "libtorch")
        self.assertIn("Unpickler::setInput", frame)

    def test_ubsan_error_in_our_file_is_ours(self):
        self.assertEqual(fuzz.crash_site(OURS_UBSAN, True)[0], "ours")

    def test_no_stack_is_unknown_where_libtorch_runs(self):
        self.assertEqual(fuzz.crash_site(RSS_LIMIT, True), ("unknown", ""))

    def test_no_stack_is_ours_where_only_our_code_runs(self):
        self.assertEqual(fuzz.crash_site(RSS_LIMIT, False)[0], "ours")

    def test_runtime_frames_are_skipped(self):
        site, frame = fuzz.crash_site(STD_ABORT_IN_OURS, True)
        self.assertEqual(site, "ours")
        self.assertIn("bridge/buf_reader.cc", frame)


LCOV = """\
SF:/proc/self/cwd/bridge/cursor.cc
DA:1,3
DA:2,0
DA:3,0
end_of_record
SF:/usr/include/c++/12/bits/vector.tcc
DA:10,0
end_of_record
SF:bridge/cursor.cc
DA:2,1
end_of_record
"""


LIBTORCH_LCOV = """\
SF:/proc/self/cwd/external/libtorch_source_1_13/src/torch/csrc/jit/serialization/unpickler.cpp
DA:10,2
DA:11,0
end_of_record
SF:/proc/self/cwd/external/libtorch_source_1_13/src/third_party/miniz-2.1.0/miniz.c
DA:5,0
end_of_record
SF:/usr/include/torch/csrc/jit/serialization/unpickler.h
DA:3,1
end_of_record
SF:bridge/cursor.cc
DA:2,1
end_of_record
"""


class CoverageTest(unittest.TestCase):
    def test_lcov_keeps_bridge_files_and_sums_their_objects(self):
        self.assertEqual(fuzz.lcov_lines(LCOV), {"bridge/cursor.cc": {1: 3, 2: 1, 3: 0}})

    def test_lcov_of_the_readers_keeps_their_sources_by_libtorch_path(self):
        # LibTorch's paths, not this tree's.
        miniz = "third_party/" + "miniz-2.1.0/miniz.c"
        files = fuzz.lcov_lines(LIBTORCH_LCOV, fuzz.LIBTORCH_SOURCE)
        self.assertEqual(files, {"torch/csrc/jit/serialization/unpickler.cpp": {10: 2, 11: 0},
                                 miniz: {5: 0}})
        summary = fuzz.libtorch_summary(files)
        self.assertEqual((summary["covered"], summary["count"], summary["percent"]), (1, 3, 33.3))
        self.assertEqual(summary["files"][miniz], {"covered": 0, "count": 1})

    def test_a_reason_explains_the_block_its_line_starts(self):
        with tempfile.TemporaryDirectory() as root:
            os.mkdir(os.path.join(root, "bridge"))
            with open(os.path.join(root, "bridge", "cursor.cc"), "w") as f:
                f.write("int a;\n  ok();\n  abort_path();\n}\nint b;\n}\n")
            reasons_path = os.path.join(root, "uncovered.tsv")
            with open(reasons_path, "w") as f:
                f.write("# comment\nbridge/cursor.cc\tabort_path();\tunreachable: test X\n")
            reasons = fuzz.uncovered_reasons(reasons_path)
            lines = {1: 1, 2: 0, 3: 0, 4: 0, 5: 1, 6: 0}
            got = fuzz.summarize_lines({"bridge/cursor.cc": lines}, reasons, root)
        self.assertEqual(got["covered"], 2)
        self.assertEqual(got["count"], 6)
        self.assertEqual(got["unexplained"], 2)
        # The reason holds for the block it starts, not past a covered line.
        self.assertEqual(got["files"]["bridge/cursor.cc"]["uncovered"],
                         [{"line": 2, "text": "ok();", "reason": None},
                          {"line": 3, "text": "abort_path();", "reason": "unreachable: test X"},
                          {"line": 4, "text": "}", "reason": "unreachable: test X"},
                          {"line": 6, "text": "}", "reason": None}])

    def test_a_block_is_printed_once_from_its_first_line(self):
        uncovered = [{"line": 3, "text": "a();", "reason": "r"},
                     {"line": 4, "text": "}", "reason": "r"},
                     {"line": 5, "text": "b();", "reason": None},
                     {"line": 9, "text": "c();", "reason": None}]
        self.assertEqual(fuzz.uncovered_blocks(uncovered),
                         [(uncovered[0], 4), (uncovered[2], 5), (uncovered[3], 9)])
        text = "\n".join(fuzz.coverage_markdown(
            {"percent": 50.0, "covered": 4, "count": 8, "unexplained": 2,
             "files": {"bridge/cursor.cc": {"covered": 4, "count": 8, "uncovered": uncovered}}}))
        self.assertIn("- 3-4: `a();`: r", text)
        self.assertIn("- 9: `c();`: NO REASON", text)

    def test_a_malformed_reason_line_is_refused(self):
        with tempfile.NamedTemporaryFile("w", suffix=".tsv") as f:
            f.write("bridge/cursor.cc\tno reason\n")
            f.flush()
            with self.assertRaises(SystemExit):
                fuzz.uncovered_reasons(f.name)

    def test_the_committed_reasons_parse(self):
        fuzz.uncovered_reasons()


if __name__ == "__main__":
    unittest.main()
