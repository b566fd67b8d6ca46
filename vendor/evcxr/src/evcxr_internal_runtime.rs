// Copyright 2020 The Evcxr Authors.
//
// Licensed under the Apache License, Version 2.0 <LICENSE or
// https://www.apache.org/licenses/LICENSE-2.0> or the MIT license <LICENSE
// or https://opensource.org/licenses/MIT>, at your option. This file may not be
// copied, modified, or distributed except according to those terms.

// This file is both a module of evcxr and is included via include_str! then
// built as a crate itself. The latter is the primary use-case. It's included as
// a submodule only so that constants can be shared.

// napkin patch: these names travel on the evaluation process's private channel (see
// `channel.rs`), never in the cell's stdout, so printed text cannot forge them.
pub const VARIABLE_CHANGED_TYPE: &str = "EVCXR_VARIABLE_CHANGED_TYPE";
pub const USER_ERROR_OCCURRED: &str = "EVCXR_USER_ERROR";
/// napkin patch: `put_variable_inferred` sends this, the variable's name, `:` and the
/// compiler's name for its type, so the next cell can name the type.
pub const VARIABLE_TYPE: &str = "EVCXR_VARIABLE_TYPE";

/// napkin patch: sends `message` on the evaluation process's private channel (see
/// `channel.rs`): flushes stdout, writes a little-endian `u32` length and the message to the
/// pipe named first in `EVCXR_CHANNEL_FD`, and waits for the forwarder's one-byte
/// acknowledgement on the second, so that the message takes its place after the text printed
/// before it and before the text printed after it. Without the channel (a process evcxr did not
/// start) it prints the message, as upstream did.
pub fn control(message: &str) {
    use std::io::{Read, Write};
    type Pipes = std::sync::Mutex<(std::fs::File, std::fs::File)>;
    static PIPES: std::sync::OnceLock<Option<Pipes>> = std::sync::OnceLock::new();
    let _ = std::io::stdout().flush();
    let pipes = PIPES.get_or_init(|| {
        let fds = std::env::var("EVCXR_CHANNEL_FD").ok()?;
        let (send, ack) = fds.split_once(',')?;
        let open = |fd: &str, write: bool| {
            std::fs::File::options()
                .read(!write)
                .write(write)
                .open(format!("/dev/fd/{fd}"))
                .ok()
        };
        Some(std::sync::Mutex::new((
            open(send, true)?,
            open(ack, false)?,
        )))
    });
    match pipes {
        Some(pipes) => {
            let mut pipes = pipes.lock().unwrap_or_else(|e| e.into_inner());
            let mut frame = (message.len() as u32).to_le_bytes().to_vec();
            frame.extend_from_slice(message.as_bytes());
            if pipes.0.write_all(&frame).is_ok() {
                let _ = pipes.1.read_exact(&mut [0u8]);
            }
        }
        None => println!("{message}"),
    }
}

/// napkin patch: flushes the cell's stdout (its `print!`s without a newline) at its end.
pub fn flush_stdout() {
    let _ = std::io::Write::flush(&mut std::io::stdout());
}

pub struct VariableStore {
    variables: std::collections::HashMap<String, Box<dyn std::any::Any + 'static>>,
}

// napkin patch 12: the store's work is done by functions that are not generic, so that when
// this module lives in a library the cells link against (`set_runtime_path`), a cell compiles
// only its thin generic wrappers (a box, a downcast) and not the map's code for every type.
impl VariableStore {
    #[inline(never)]
    pub fn new() -> VariableStore {
        VariableStore {
            variables: std::collections::HashMap::new(),
        }
    }

    #[inline(never)]
    pub fn put_boxed(&mut self, name: &str, value: Box<dyn std::any::Any + 'static>) {
        self.variables.insert(name.to_owned(), value);
    }

    #[inline(never)]
    pub fn take_boxed(&mut self, name: &str) -> Box<dyn std::any::Any + 'static> {
        match self.variables.remove(name) {
            Some(value) => value,
            None => panic!("Variable '{name}' has gone missing"),
        }
    }

    #[inline(never)]
    pub fn get_boxed(&self, name: &str) -> Option<&(dyn std::any::Any + 'static)> {
        self.variables.get(name).map(|value| &**value)
    }

    #[inline(never)]
    pub fn report_type(name: &str, type_name: &str) {
        control(&format!("{VARIABLE_TYPE} {name}:{type_name}"));
    }

    #[inline(never)]
    pub fn report_changed_type(name: &str) {
        eprintln!("The type of the variable {name} was redefined, so was lost.",);
        control(&format!("{VARIABLE_CHANGED_TYPE} {name}"));
    }

    pub fn put_variable<T: 'static>(&mut self, name: &str, value: T) {
        self.put_boxed(name, Box::new(value));
    }

    /// napkin patch: stores a variable whose type the generated code does not name, and
    /// reports the type the compiler gave it (`std::any::type_name`).
    pub fn put_variable_inferred<T: 'static>(&mut self, name: &str, value: T) {
        Self::report_type(name, std::any::type_name::<T>());
        self.put_variable(name, value);
    }

    pub fn check_variable<T: 'static>(&mut self, name: &str) -> bool {
        match self.get_boxed(name) {
            Some(value) if !value.is::<T>() => {
                Self::report_changed_type(name);
                false
            }
            _ => true,
        }
    }

    pub fn take_variable<T: 'static>(&mut self, name: &str) -> T {
        match self.take_boxed(name).downcast() {
            Ok(value) => *value,
            // Shouldn't happen so long as check_variable was called.
            Err(_) => panic!("Variable changed type"),
        }
    }

    pub fn lazy_arc<T: 'static, F: FnOnce() -> T>(
        &mut self,
        name: &str,
        create: F,
    ) -> std::sync::Arc<T> {
        if self.get_boxed(name).is_none() {
            self.put_boxed(name, Box::new(std::sync::Arc::new(create())));
        }
        match self
            .get_boxed(name)
            .and_then(|value| value.downcast_ref::<std::sync::Arc<T>>())
        {
            Some(value) => std::sync::Arc::clone(value),
            None => panic!("lazy_arc {name} changed type"),
        }
    }

    #[inline(never)]
    pub fn merge(&mut self, mut other: VariableStore) {
        self.variables.extend(other.variables.drain());
    }
}

#[inline(never)]
pub fn create_variable_store() -> *mut VariableStore {
    Box::into_raw(Box::new(VariableStore::new()))
}
