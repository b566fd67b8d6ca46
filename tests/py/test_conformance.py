"""The jupyter_kernel_test conformance suite, with Rust samples, against the real kernel."""

import unittest

import jupyter_kernel_test


class NapkinKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "napkin"
    language_name = "rust"
    file_extension = ".rs"

    code_hello_world = 'println!("hello, world");'
    code_stderr = 'eprintln!("oops");'

    completion_samples = [{"text": "let abc_def = 1;\nabc_", "matches": {"abc_def"}}]

    complete_code_samples = ["1 + 1", "let x = 5;", "fn f() -> i32 { 1 }"]
    incomplete_code_samples = ["fn f() {", "let x = (1,", 'let s = "open']
    invalid_code_samples = ["let x = 1; }", ")"]

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "kb(1.0) * 3.0", "result": "3.00 KB"},
    ]
    code_display_data = [
        {"code": "display(&per_second(11_574.0));", "mime": "text/html"},
        {"code": "display(&Chart::journey(&Workload::new(users(1e6), per_user_per_day(10.0))).unwrap());", "mime": "image/svg+xml"},
        # evcxr's display protocol, which crates written for evcxr print to show themselves.
        {"code": 'println!("EVCXR_BEGIN_CONTENT text/html\\n<b>hi</b>\\nEVCXR_END_CONTENT");', "mime": "text/html"},
    ]

    code_history_pattern = "1 ? 2*"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Workload"

    code_generate_error = 'panic!("boom")'


class NapkinIopubWelcomeTests(jupyter_kernel_test.IopubWelcomeTests):
    kernel_name = "napkin"
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
