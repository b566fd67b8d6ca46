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

impl VariableStore {
    pub fn new() -> VariableStore {
        VariableStore {
            variables: std::collections::HashMap::new(),
        }
    }

    pub fn put_variable<T: 'static>(&mut self, name: &str, value: T) {
        self.variables.insert(name.to_owned(), Box::new(value));
    }

    /// napkin patch: stores a variable whose type the generated code does not name, and
    /// reports the type the compiler gave it (`std::any::type_name`).
    pub fn put_variable_inferred<T: 'static>(&mut self, name: &str, value: T) {
        control(&format!(
            "{VARIABLE_TYPE} {name}:{}",
            std::any::type_name::<T>()
        ));
        self.put_variable(name, value);
    }

    pub fn check_variable<T: 'static>(&mut self, name: &str) -> bool {
        if let Some(v) = self.variables.get(name)
            && v.downcast_ref::<T>().is_none()
        {
            eprintln!("The type of the variable {name} was redefined, so was lost.",);
            control(&format!("{VARIABLE_CHANGED_TYPE} {name}"));
            return false;
        }
        true
    }

    pub fn take_variable<T: 'static>(&mut self, name: &str) -> T {
        match self.variables.remove(name) {
            Some(v) => {
                if let Ok(value) = v.downcast() {
                    *value
                } else {
                    // Shouldn't happen so long as check_variable was called.
                    panic!("Variable changed type");
                }
            }
            None => panic!("Variable '{name}' has gone missing"),
        }
    }

    pub fn lazy_arc<T: 'static, F: FnOnce() -> T>(
        &mut self,
        name: &str,
        create: F,
    ) -> std::sync::Arc<T> {
        if let Some(value) = self
            .variables
            .entry(name.to_owned())
            .or_insert_with(|| Box::new(std::sync::Arc::new(create())))
            .downcast_mut()
        {
            std::sync::Arc::clone(value)
        } else {
            panic!("lazy_arc {name} changed type");
        }
    }

    pub fn merge(&mut self, mut other: VariableStore) {
        self.variables.extend(other.variables.drain());
    }
}

pub fn create_variable_store() -> *mut VariableStore {
    Box::into_raw(Box::new(VariableStore::new()))
}
