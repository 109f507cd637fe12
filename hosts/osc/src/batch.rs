//! The edits of one datagram, played with one swap.
//!
//! The audio half takes one waiting program per transition and holds at most
//! `swap_capacity` of them (16 by default). Publishing each edit of a bundle on its own, all
//! under one hold of the lock, played every intermediate patch for a block (a bundle that
//! swaps one connection for another went silent in between) and refused every edit past the
//! queue's capacity as if the audio half had stopped: a bundle that builds a small sub-graph
//! easily has more than 16 edits. So a datagram's edits are applied one by one to a copy of
//! the patch — each checked and, if refused, answered with its own `/error` — and the result
//! is played once, as one undoable step, before the datagram's next command that is not an
//! edit and at its end.

use super::describe::describe;
use patchvm_engine::{Controller, EngineError};
use patchvm_ir::{Edit, Patch};
use patchvm_modules::catalog;

/// Edits applied to a copy of the patch, not yet played.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// The patch with the edits so far; `None` while there are none.
    patch: Option<Patch>,
    /// The text of the last patch loaded in the batch, which the spans point into.
    text: Option<String>,
    /// The addresses of the messages whose edits it holds, in order.
    addresses: Vec<String>,
}

/// A batch taken to be played.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) patch: Patch,
    pub(crate) text: Option<String>,
    pub(crate) addresses: Vec<String>,
}

impl Batch {
    /// Applies `edit` (from a message to `address`; `text` is the patch text of a load) on
    /// top of the batch, or of the patch `controller` plays. The error is the `/error` text.
    pub(crate) fn add(
        &mut self,
        edit: Edit,
        text: Option<String>,
        address: &str,
        controller: &Controller,
    ) -> Result<(), String> {
        let loads = matches!(edit, Edit::ReplacePatch(_));
        let empty = Patch::default();
        let base = match self.patch.as_ref().or(controller.patch()) {
            Some(patch) => patch,
            None if loads => &empty,
            None => return Err(EngineError::NoPatch.to_string()),
        };
        match edit.apply(base, catalog(), controller.limits()) {
            Ok(edited) => {
                self.patch = Some(edited);
                if loads {
                    self.text = text;
                }
                self.addresses.push(address.to_owned());
                Ok(())
            }
            Err(diagnostics) => {
                let text = if loads { &text } else { &self.text };
                Err(describe(&diagnostics, text.as_deref()))
            }
        }
    }

    /// The edits to play, if there are any; the batch is empty afterwards.
    pub(crate) fn take(&mut self) -> Option<Pending> {
        let patch = self.patch.take()?;
        Some(Pending {
            patch,
            text: self.text.take(),
            addresses: std::mem::take(&mut self.addresses),
        })
    }
}
