"""cc_fuzz_test: one libFuzzer target, its launcher and its regression test.

Arguments:
  corpus   label of a filegroup named after the folder it globs (e.g.
           "//testdata/archive_fuzzer:corpus" for testdata/archive_fuzzer/corpus/*).
  dict     label of a libFuzzer dictionary file, or None.
  options  label of a libFuzzer .options file ([libfuzzer] key = value), or None.
  crashes  label of a filegroup named after its folder, holding <hash>.bin
           reproducers each with a <hash>.txt whose `outcome[V]:` line is what
           replaying it in a child process must give with LibTorch V
           (replay_main.cc).
  libtorch_readers
           True for a target that reads archives through LibTorch: under
           --config=readers it links LibTorch's readers compiled from its
           source with coverage (//third_party/libtorch_source), which
           interpose libtorch_cpu's own.

For each `name` it declares:
  <name>                  the fuzz target. Under --config=fuzz (which sets
                          --define=fuzzing_engine=libfuzzer) it links libFuzzer's
                          main; otherwise fuzz/replay_main.cc, which runs
                          LLVMFuzzerTestOneInput over the files and folders given.
  <name>_run              runs the fuzzer on a scratch copy of its corpus with its
                          dict and options (bazel run --config=fuzz ...).
  <name>_regression_test  replays the corpus in-process and every saved crash in
                          a child process, expecting its recorded outcome.
  <name>_corpus, <name>_dict, <name>_options, <name>_crashes   aliases.
"""

def _path(label):
    """The workspace-relative path of a filegroup named after its folder."""
    package, _, target = label.lstrip("/").partition(":")
    return package + "/" + target

def cc_fuzz_test(name, srcs, deps = [], corpus = None, dict = None, options = None, crashes = None, libtorch_readers = False, size = "medium", **kwargs):
    readers = []
    if libtorch_readers:
        readers = select({
            "//third_party/libtorch_source:instrumented": ["//third_party/libtorch_source:readers"],
            "//conditions:default": [],
        })
    native.cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = srcs,
        deps = deps + readers,
        alwayslink = True,
        **kwargs
    )
    native.cc_binary(
        name = name,
        testonly = True,
        deps = [":" + name + "_lib"] + select({
            "//fuzz:libfuzzer": [],
            "//conditions:default": ["//fuzz:replay_main"],
        }),
        linkopts = select({
            "//fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
    )
    inputs = {"corpus": corpus, "dict": dict, "options": options, "crashes": crashes}
    for kind, label in inputs.items():
        native.filegroup(
            name = "%s_%s" % (name, kind),
            testonly = True,
            srcs = [label] if label else [],
        )
    native.sh_binary(
        name = name + "_run",
        testonly = True,
        srcs = ["//fuzz:run_fuzzer.sh"],
        args = [
            "$(location :%s)" % name,
            _path(corpus) if corpus else "-",
            "$(location :%s_dict)" % name if dict else "-",
            "$(location :%s_options)" % name if options else "-",
        ],
        data = [":" + name] + [":%s_%s" % (name, kind) for kind in inputs],
    )

    # Always the replay main: the regression test runs in the default build
    # and must not depend on libFuzzer's flags. Folders are passed as paths in
    # the runfiles tree (the test's working directory).
    args = []
    if corpus:
        args.append(_path(corpus))
    if crashes:
        args += ["--crashes", _path(crashes)]
    native.cc_test(
        name = name + "_regression_test",
        size = size,
        deps = [":" + name + "_lib", "//fuzz:replay_main"],
        args = args,
        data = [":%s_corpus" % name, ":%s_crashes" % name],
    )
