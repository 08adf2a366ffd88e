"""A binary of the conformance suite built against a chosen implementation.

`suite_on_impl(name, suite, impl)` builds the executable `suite` (a test
group, or the fault matrix) with the //conformance/impl:impl setting pointed
at `impl` (a Starlark transition, as `--//conformance/impl:impl=<impl>`
would) and gives it a name of its own, so one build can hold the suite
linked against several implementations. The result is an executable that
other tests run (conformance/callbacks/expect_failures.py,
conformance/matrix/fault_matrix_test.sh).

`suite` must be linked statically (a cc_test with linkstatic = True, or a
cc_binary): the copy runs from another test's runfiles, where a dynamically
linked binary would not find this workspace's libraries.
"""

def _impl_setting_transition_impl(settings, attr):
    return {"//conformance/impl:impl": str(attr.impl)}

_impl_setting = transition(
    implementation = _impl_setting_transition_impl,
    inputs = [],
    outputs = ["//conformance/impl:impl"],
)

def _suite_on_impl_impl(ctx):
    suite = ctx.attr.suite

    # Bazel 4 hands over an attribute behind a transition as a list.
    if type(suite) == "list":
        suite = suite[0]
    binary = suite[DefaultInfo].files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.run_shell(
        inputs = [binary],
        outputs = [out],
        command = "cp \"$1\" \"$2\" && chmod +x \"$2\"",
        arguments = [binary.path, out.path],
        mnemonic = "CopySuite",
    )
    return [DefaultInfo(executable = out, runfiles = ctx.runfiles(files = [out]))]

suite_on_impl = rule(
    implementation = _suite_on_impl_impl,
    executable = True,
    attrs = {
        "suite": attr.label(mandatory = True, cfg = _impl_setting, executable = True),
        "impl": attr.label(mandatory = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def suite_on_impl_test(
        name,
        suite,
        impl,
        expected_failures = [],
        skipped = [],
        failure_says = None,
        size = "small",
        tags = []):
    """A test that runs `suite` built against `impl` and checks its cases.

    `name + "_suite"` is the binary (suite_on_impl); the test runs it under
    conformance/callbacks/expect_failures.py: the failed cases must be
    exactly those `expected_failures` matches (none: the suite passes), the
    skipped ones exactly those `skipped` matches, and with `failure_says`
    every failure's message must contain it.
    """
    suite_on_impl(
        name = name + "_suite",
        testonly = True,
        impl = impl,
        suite = suite,
    )
    flags = ["--skipped=" + s for s in skipped]
    if failure_says:
        flags.append("--failure-says=" + failure_says)
    native.sh_test(
        name = name,
        size = size,
        tags = tags,
        srcs = ["//conformance/callbacks:expect_failures.py"],
        args = flags + ["$(rootpath :%s_suite)" % name] + expected_failures,
        data = [":%s_suite" % name],
    )

# The implementations every suite runs over besides the default (the
# twin, //conformance/impl:bridge), by the short name their tests end in.
IMPLEMENTATIONS = {
    "plain_c": "//conformance/impl/plain_c",
    "stock": "//conformance/impl/stock",
    "stock_debug": "//conformance/impl/stock:stock_debug",
}

def expect(failures = [], failure_says = None, skipped = []):
    """What a suite gives over one implementation, for suites_on_every_impl.

    `failures` and `skipped` are expect_failures.py's patterns (gtest full
    names): the failed cases must be exactly those `failures` matches (a
    pinned outcome, such as stock_debug's aborts, each saying
    `failure_says`), and the skipped ones exactly those `skipped` matches.
    With neither, the suite must pass, skips allowed and counted.
    """
    return struct(failures = failures, failure_says = failure_says, skipped = skipped)

def suites_on_every_impl(suites, size = "medium", tags = [], outcomes = {}):
    """`<suite>_on_<impl>` for each suite of the calling package and each of
    IMPLEMENTATIONS.

    Each is a suite_on_impl_test of that suite built against that
    implementation. `outcomes` maps "<suite>_on_<impl>" to an expect(): what
    differs from passing there, written with its reason in the BUILD file.
    Every key must name one of the tests made. The suites must be linked
    statically (suite_on_impl).
    """
    made = []
    for suite in suites:
        for impl_name, impl in IMPLEMENTATIONS.items():
            name = suite + "_on_" + impl_name
            made.append(name)
            outcome = outcomes.get(name, expect())
            suite_on_impl_test(
                name = name,
                size = size,
                tags = tags,
                impl = impl,
                suite = ":" + suite,
                expected_failures = outcome.failures,
                failure_says = outcome.failure_says,
                skipped = outcome.skipped,
            )
    for key in outcomes:
        if key not in made:
            fail("outcomes names no test of suites_on_every_impl: " + key)
