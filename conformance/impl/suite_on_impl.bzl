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
