//! Completion (Tab) and inspection (Shift+Tab) without rust-analyzer and without `rust-src`.
//!
//! What a learner completes is napkin's API, the session's variables and the standard types
//! they hold. The kernel knows each kept variable's type (the compiler reported it when the
//! cell ran), so a small index answers in milliseconds and costs a few megabytes:
//!
//! - napkin's API, read from napkin's own sources with rust-analyzer's parser (`ra_ap_syntax`,
//!   a parser only): public functions, types, enum variants, inherent methods, their
//!   signatures, return types and doc comments;
//! - the standard library, read from the HTML documentation that rustup's default profile
//!   installs (`rust-docs`, under the sysroot's `share/doc/rust/html`): a type's page lists
//!   its methods (those reached through `Deref` included) with signatures and first doc
//!   paragraphs, a module's page its items. Pages are read when first asked for.
//!
//! A receiver's type comes from the session's variables, from a `let` earlier in the cell
//! (its annotation, or the return types of a `Type::new(…).method(…)?` chain), or a literal.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ra_ap_syntax::ast::{self, HasDocComments, HasModuleItem, HasName, HasVisibility};
use ra_ap_syntax::{AstNode, Edition, SourceFile};

use super::{Completions, MimeBundle};

/// What kind of thing a completion is (for sorting and docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Variable,
    Method,
    Function,
    Variant,
    Type,
    Module,
    Keyword,
}

/// One name that can be completed, with what inspection shows for it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    kind: Kind,
    /// The item's signature or header, as code.
    signature: String,
    /// Its documentation (Markdown for napkin, plain text for std).
    doc: String,
    /// For functions and methods: the return type as written (`Self`, `Result<Estimate, Error>`).
    returns: Option<String>,
}

/// napkin's API, by type.
#[derive(Debug, Default)]
struct Index {
    /// Public free functions, types, traits and constants, by name.
    items: BTreeMap<String, Entry>,
    /// Inherent methods, associated functions and enum variants, by type name (`Workload`).
    members: HashMap<String, Vec<Entry>>,
}

/// Answers completion and inspection requests.
pub struct Completer {
    napkin_src: PathBuf,
    docs: Option<PathBuf>,
    napkin: Option<Index>,
    /// Std documentation pages read so far, by path relative to the docs root.
    pages: HashMap<String, Vec<Entry>>,
}

/// Words a cell often starts with.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "return", "self", "Self", "struct",
    "trait", "true", "type", "use", "where", "while",
];

/// The std prelude's and common std names, with their documentation pages.
const STD_NAMES: &[(&str, &str)] = &[
    ("Vec", "std/vec/struct.Vec.html"),
    ("String", "std/string/struct.String.html"),
    ("Option", "std/option/enum.Option.html"),
    ("Result", "std/result/enum.Result.html"),
    ("Box", "std/boxed/struct.Box.html"),
    ("HashMap", "std/collections/struct.HashMap.html"),
    ("HashSet", "std/collections/struct.HashSet.html"),
    ("BTreeMap", "std/collections/struct.BTreeMap.html"),
    ("BTreeSet", "std/collections/struct.BTreeSet.html"),
    ("VecDeque", "std/collections/struct.VecDeque.html"),
    ("Range", "std/ops/struct.Range.html"),
    ("Duration", "std/time/struct.Duration.html"),
    ("Rc", "std/rc/struct.Rc.html"),
    ("Arc", "std/sync/struct.Arc.html"),
    ("f64", "std/primitive.f64.html"),
    ("f32", "std/primitive.f32.html"),
    ("i32", "std/primitive.i32.html"),
    ("i64", "std/primitive.i64.html"),
    ("u32", "std/primitive.u32.html"),
    ("u64", "std/primitive.u64.html"),
    ("usize", "std/primitive.usize.html"),
    ("u8", "std/primitive.u8.html"),
    ("bool", "std/primitive.bool.html"),
    ("char", "std/primitive.char.html"),
    ("str", "std/primitive.str.html"),
    ("slice", "std/primitive.slice.html"),
];

/// Names every cell can use without importing them.
const PRELUDE: &[&str] = &[
    "Vec",
    "String",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Box",
    "println!",
    "print!",
    "format!",
    "vec!",
    "eprintln!",
    "assert!",
    "assert_eq!",
    "panic!",
    "std",
];

impl Completer {
    /// A completer for napkin's sources under `napkin` and the std docs of `sysroot`. Nothing
    /// is read until the first request.
    pub fn new(napkin: &Path, sysroot: Option<&Path>) -> Self {
        let docs = sysroot
            .map(|s| s.join("share/doc/rust/html"))
            .filter(|d| d.join("std/index.html").is_file());
        Self {
            napkin_src: napkin.join("src"),
            docs,
            napkin: None,
            pages: HashMap::new(),
        }
    }

    /// Completion candidates at byte `cursor` of `code`, given the session's variables (name,
    /// type as cells write it) and item names.
    pub fn complete(
        &mut self,
        code: &str,
        cursor: usize,
        variables: &[(String, String)],
        items: &[String],
    ) -> Completions {
        let cursor = floor_char_boundary(code, cursor);
        let start = ident_start(code, cursor);
        let prefix = &code[start..cursor];
        let entries = self.candidates(&code[..start], code, variables, items);
        let mut seen = BTreeSet::new();
        let mut ranked: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.name.starts_with(prefix) && seen.insert(e.name.clone()))
            .collect();
        ranked.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        Completions {
            matches: ranked.into_iter().map(|e| e.name.clone()).collect(),
            replace: start..cursor,
        }
    }

    /// Documentation for the name at byte `cursor` of `code`.
    pub fn inspect(
        &mut self,
        code: &str,
        cursor: usize,
        variables: &[(String, String)],
    ) -> Option<MimeBundle> {
        let cursor = floor_char_boundary(code, cursor);
        let start = ident_start(code, cursor);
        let end = code[cursor..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(code.len(), |i| cursor + i);
        let name = &code[start..end];
        if name.is_empty() {
            return None;
        }
        let before = &code[..start];
        let found = if before.trim_end().ends_with('.') || before.trim_end().ends_with("::") {
            self.candidates(before, code, variables, &[])
                .into_iter()
                .find(|e| e.name == name)
        } else if let Some((_, ty)) = variables.iter().find(|(n, _)| n == name) {
            Some(Entry {
                name: name.to_string(),
                kind: Kind::Variable,
                signature: format!("{name}: {ty}"),
                doc: self
                    .type_entry(ty)
                    .map(|e| format!("{}\n\n{}", e.signature, e.doc))
                    .unwrap_or_default(),
                returns: None,
            })
        } else {
            self.napkin_index()
                .items
                .get(name)
                .cloned()
                .or_else(|| self.type_entry(name))
        }?;
        let text = if found.doc.is_empty() {
            found.signature.clone()
        } else {
            format!("{}\n\n{}", found.signature, found.doc)
        };
        let markdown = format!("```rust\n{}\n```\n\n{}", found.signature, found.doc);
        Some(MimeBundle::from([
            ("text/plain".to_string(), text.into()),
            ("text/markdown".to_string(), markdown.into()),
        ]))
    }

    /// Everything that can follow `before` (the code up to the name being typed).
    fn candidates(
        &mut self,
        before: &str,
        code: &str,
        variables: &[(String, String)],
        items: &[String],
    ) -> Vec<Entry> {
        let trimmed = before.trim_end();
        if let Some(receiver) = trimmed.strip_suffix('.') {
            if receiver.ends_with('.') {
                return Vec::new(); // `1..` ranges
            }
            let Some(ty) = self.type_of(receiver, &code[..before.len()], variables, 0) else {
                return Vec::new();
            };
            return self.members_of(&ty);
        }
        if let Some(path) = trimmed.strip_suffix("::") {
            let start = path
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(0, |i| i + 1);
            return self.path_members(&path[start..]);
        }
        let mut entries: Vec<Entry> = variables
            .iter()
            .map(|(name, ty)| entry(name, Kind::Variable, &format!("{name}: {ty}")))
            .collect();
        entries.extend(
            local_lets(before)
                .into_iter()
                .map(|(name, _)| entry(&name, Kind::Variable, &name)),
        );
        entries.extend(items.iter().map(|i| entry(i, Kind::Function, i)));
        entries.extend(self.napkin_index().items.values().cloned());
        entries.extend(PRELUDE.iter().map(|p| entry(p, Kind::Type, p)));
        entries.extend(KEYWORDS.iter().map(|k| entry(k, Kind::Keyword, k)));
        entries
    }

    /// The type of `expr` (the code just before a `.`), as a name [`Self::members_of`] knows.
    fn type_of(
        &mut self,
        expr: &str,
        code_before: &str,
        variables: &[(String, String)],
        depth: usize,
    ) -> Option<String> {
        if depth > 8 {
            return None;
        }
        let expr = expr.trim_end();
        if let Some(inner) = expr.strip_suffix('?') {
            let ty = self.type_of(inner, code_before, variables, depth + 1)?;
            return Some(unwrap_result(&ty));
        }
        if let Some(open) = matching_open(expr) {
            let callee = &expr[..open];
            let name_start = ident_start(callee, callee.len());
            let name = &callee[name_start..];
            let head = callee[..name_start].trim_end();
            if name.is_empty() {
                return None;
            }
            if let Some(receiver) = head.strip_suffix('.') {
                let ty = self.type_of(receiver, code_before, variables, depth + 1)?;
                let method = self.members_of(&ty).into_iter().find(|e| e.name == name)?;
                return resolve_self(method.returns.as_deref()?, &ty);
            }
            if let Some(path) = head.strip_suffix("::") {
                let ty = &path[ident_start(path, path.len())..];
                let function = self.members_of(ty).into_iter().find(|e| e.name == name)?;
                return resolve_self(function.returns.as_deref().unwrap_or("Self"), ty);
            }
            let function = self.napkin_index().items.get(name)?.clone();
            return function.returns;
        }
        if expr.ends_with('"') {
            return Some("str".into());
        }
        if expr.ends_with(']') && expr.contains("vec!") {
            return Some("Vec".into());
        }
        let start = ident_start(expr, expr.len());
        let name = &expr[start..];
        if name.is_empty() {
            return None;
        }
        if name.chars().next()?.is_ascii_digit() {
            return Some(if name.contains('.') || name.contains("f64") {
                "f64".into()
            } else {
                "i32".into()
            });
        }
        if let Some((_, ty)) = local_lets(code_before)
            .into_iter()
            .rev()
            .find(|(n, _)| n == name)
        {
            return match ty {
                LetType::Annotated(ty) => Some(ty),
                LetType::Init(init) => self.type_of(&init, code_before, variables, depth + 1),
            };
        }
        variables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, ty)| ty.clone())
    }

    /// Methods (and, for napkin types, associated functions) of the type written `ty`.
    fn members_of(&mut self, ty: &str) -> Vec<Entry> {
        let base = base_name(ty);
        if let Some(members) = self.napkin_index().members.get(&base) {
            return members.clone();
        }
        match self.std_page(ty) {
            Some(page) => self.page(&page),
            None => Vec::new(),
        }
    }

    /// What can follow `path::`: a napkin type's associated items and variants, a std
    /// module's items, or a std type's associated functions.
    fn path_members(&mut self, path: &str) -> Vec<Entry> {
        let last = path.rsplit("::").next().unwrap_or(path);
        if let Some(members) = self.napkin_index().members.get(last) {
            return members.clone();
        }
        if path == "napkin" || path == "napkin::prelude" {
            return self.napkin_index().items.values().cloned().collect();
        }
        let segments: Vec<&str> = path.split("::").collect();
        if matches!(segments.first(), Some(&("std" | "core" | "alloc"))) {
            let module = format!("std/{}index.html", {
                let rest: String = segments[1..].iter().map(|s| format!("{s}/")).collect();
                rest
            });
            if self
                .docs
                .as_ref()
                .is_some_and(|d| d.join(&module).is_file())
            {
                return self.page(&module);
            }
        }
        match self.std_page(path) {
            Some(page) => self.page(&page),
            None => Vec::new(),
        }
    }

    /// The std documentation page for the type written `ty`, if there is one.
    fn std_page(&self, ty: &str) -> Option<String> {
        let docs = self.docs.as_ref()?;
        let base = base_name(ty);
        if let Some((_, page)) = STD_NAMES.iter().find(|(name, _)| *name == base) {
            return Some(page.to_string());
        }
        let path = ty.split('<').next().unwrap_or(ty).trim();
        let mut segments: Vec<&str> = path.split("::").collect();
        if !matches!(segments.first(), Some(&("std" | "core" | "alloc"))) {
            return None;
        }
        segments[0] = "std";
        let name = segments.pop()?;
        let dir = segments.join("/");
        ["struct", "enum", "trait", "primitive"]
            .iter()
            .map(|kind| format!("{dir}/{kind}.{name}.html"))
            .find(|page| docs.join(page).is_file())
    }

    /// A type's own entry (signature and docs), for inspecting a variable or a type name.
    fn type_entry(&mut self, ty: &str) -> Option<Entry> {
        let base = base_name(ty);
        if let Some(item) = self.napkin_index().items.get(&base) {
            return Some(item.clone());
        }
        let page = self.std_page(ty)?;
        let html = std::fs::read_to_string(self.docs.as_ref()?.join(&page)).ok()?;
        let doc = html
            .split("<details class=\"toggle top-doc\" open>")
            .nth(1)
            .or_else(|| html.split("class=\"docblock\">").nth(1))
            .map(first_paragraph)
            .unwrap_or_default();
        Some(Entry {
            name: base.clone(),
            kind: Kind::Type,
            signature: ty.to_string(),
            doc,
            returns: None,
        })
    }

    /// The entries of a std documentation page: a type's methods or a module's items.
    fn page(&mut self, page: &str) -> Vec<Entry> {
        if let Some(entries) = self.pages.get(page) {
            return entries.clone();
        }
        let entries = self
            .docs
            .as_ref()
            .and_then(|d| std::fs::read_to_string(d.join(page)).ok())
            .map(|html| {
                if page.ends_with("index.html") {
                    module_items(&html)
                } else {
                    methods(&html)
                }
            })
            .unwrap_or_default();
        self.pages.insert(page.to_string(), entries.clone());
        entries
    }

    fn napkin_index(&mut self) -> &Index {
        let src = self.napkin_src.clone();
        self.napkin.get_or_insert_with(|| index_sources(&src))
    }
}

fn entry(name: &str, kind: Kind, signature: &str) -> Entry {
    Entry {
        name: name.to_string(),
        kind,
        signature: signature.to_string(),
        doc: String::new(),
        returns: None,
    }
}

/// Reads napkin's public API from the `.rs` files under `src`.
fn index_sources(src: &Path) -> Index {
    let mut index = Index::default();
    let Ok(dir) = std::fs::read_dir(src) else {
        return index;
    };
    let mut files: Vec<PathBuf> = dir
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let parsed = SourceFile::parse(&text, Edition::Edition2024).tree();
        index_items(parsed.items(), &mut index);
    }
    index
}

fn index_items(items: impl Iterator<Item = ast::Item>, index: &mut Index) {
    for item in items {
        match item {
            ast::Item::Fn(f) if is_pub(&f) => {
                if let Some(e) = fn_entry(&f, Kind::Function) {
                    index.items.insert(e.name.clone(), e);
                }
            }
            ast::Item::Struct(s) if is_pub(&s) => add_type(index, &s, "struct"),
            ast::Item::Trait(t) if is_pub(&t) => add_type(index, &t, "trait"),
            ast::Item::Const(c) if is_pub(&c) => add_type(index, &c, "const"),
            ast::Item::TypeAlias(t) if is_pub(&t) => add_type(index, &t, "type"),
            ast::Item::Enum(e) if is_pub(&e) => {
                add_type(index, &e, "enum");
                let Some(name) = e.name().map(|n| n.text().to_string()) else {
                    continue;
                };
                let variants = e.variant_list().into_iter().flat_map(|l| l.variants());
                for variant in variants {
                    let Some(v) = variant.name() else { continue };
                    let v = v.text().to_string();
                    index.members.entry(name.clone()).or_default().push(Entry {
                        signature: format!("{name}::{v}"),
                        doc: docs(&variant),
                        name: v,
                        kind: Kind::Variant,
                        returns: Some(name.clone()),
                    });
                }
            }
            ast::Item::Impl(imp) if imp.trait_().is_none() => {
                let Some(ty) = imp.self_ty() else { continue };
                let name = base_name(&ty.syntax().text().to_string());
                let fns = imp
                    .assoc_item_list()
                    .into_iter()
                    .flat_map(|l| l.assoc_items());
                for assoc in fns {
                    if let ast::AssocItem::Fn(f) = assoc
                        && is_pub(&f)
                    {
                        let kind = if f.param_list().and_then(|p| p.self_param()).is_some() {
                            Kind::Method
                        } else {
                            Kind::Function
                        };
                        if let Some(e) = fn_entry(&f, kind)
                            && e.name != "evcxr_display"
                        {
                            index.members.entry(name.clone()).or_default().push(e);
                        }
                    }
                }
            }
            ast::Item::Module(m) if is_pub(&m) => {
                if let Some(list) = m.item_list() {
                    index_items(list.items(), index);
                }
            }
            _ => {}
        }
    }
}

fn add_type<N: HasName + HasDocComments>(index: &mut Index, node: &N, keyword: &str) {
    let Some(name) = node.name().map(|n| n.text().to_string()) else {
        return;
    };
    index.items.insert(
        name.clone(),
        Entry {
            signature: format!("pub {keyword} {name}"),
            doc: docs(node),
            name,
            kind: Kind::Type,
            returns: None,
        },
    );
}

fn fn_entry(f: &ast::Fn, kind: Kind) -> Option<Entry> {
    let name = f.name()?.text().to_string();
    let params = f
        .param_list()
        .map(|p| p.syntax().text().to_string())
        .unwrap_or_default();
    let returns = f
        .ret_type()
        .and_then(|r| r.ty())
        .map(|t| t.syntax().text().to_string());
    let signature = match &returns {
        Some(r) => format!("pub fn {name}{params} -> {r}"),
        None => format!("pub fn {name}{params}"),
    };
    Some(Entry {
        doc: docs(f),
        name,
        kind,
        signature,
        returns,
    })
}

fn is_pub(node: &impl HasVisibility) -> bool {
    node.visibility()
        .is_some_and(|v| v.syntax().text() == "pub")
}

fn docs(node: &impl HasDocComments) -> String {
    node.doc_comments()
        .filter_map(|c| c.doc_comment().map(|(text, _)| text.to_string()))
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The methods documented on a rustdoc type page: `id="method.NAME"` sections with their
/// code header and first doc paragraph.
fn methods(html: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut seen = BTreeSet::new();
    for chunk in html.split("id=\"method.").skip(1) {
        let Some(name) = chunk.split('"').next() else {
            continue;
        };
        if !seen.insert(name.to_string()) {
            continue;
        }
        let signature = chunk
            .split("<h4 class=\"code-header\">")
            .nth(1)
            .and_then(|h| h.split("</h4>").next())
            .map(strip_tags)
            .unwrap_or_default();
        let doc = chunk
            .split("</section>")
            .nth(1)
            .filter(|rest| {
                rest.trim_start()
                    .starts_with("</summary><div class=\"docblock\">")
            })
            .map(first_paragraph)
            .unwrap_or_default();
        entries.push(Entry {
            name: name.to_string(),
            kind: Kind::Method,
            signature,
            doc,
            returns: None,
        });
    }
    entries
}

/// The items a rustdoc module page lists (`title="struct std::collections::HashMap"`).
fn module_items(html: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    for chunk in html.split("<dt><a class=\"").skip(1) {
        let Some(title) = chunk
            .split("title=\"")
            .nth(1)
            .and_then(|t| t.split('"').next())
        else {
            continue;
        };
        let Some((kind, path)) = title.split_once(' ') else {
            continue;
        };
        let name = path.rsplit("::").next().unwrap_or(path);
        let kind = match kind {
            "mod" => Kind::Module,
            "fn" => Kind::Function,
            "macro" => Kind::Function,
            _ => Kind::Type,
        };
        let doc = chunk
            .split("<dd>")
            .nth(1)
            .and_then(|d| d.split("</dd>").next())
            .map(strip_tags)
            .unwrap_or_default();
        entries.push(Entry {
            name: name.to_string(),
            kind,
            signature: title.to_string(),
            doc,
            returns: None,
        });
    }
    entries
}

/// The first `<p>…</p>` of an HTML fragment, as text.
fn first_paragraph(html: &str) -> String {
    html.split("<p>")
        .nth(1)
        .and_then(|p| p.split("</p>").next())
        .map(strip_tags)
        .unwrap_or_default()
}

/// HTML to text: tags removed, the common entities decoded.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// How a `let` earlier in the cell gives its variable's type.
#[derive(Debug, PartialEq, Eq)]
enum LetType {
    Annotated(String),
    Init(String),
}

/// The simple `let name (: T)? = init;` statements of `code`, in order (the last may be
/// unfinished and is skipped).
fn local_lets(code: &str) -> Vec<(String, LetType)> {
    let mut lets = Vec::new();
    for statement in code.split(';') {
        let Some(rest) = statement.trim_start().strip_prefix("let ") else {
            continue;
        };
        let rest = rest.trim_start();
        let rest = rest.strip_prefix("mut ").unwrap_or(rest);
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(end);
        if name.is_empty() {
            continue;
        }
        let after = after.trim_start();
        if let Some(annotated) = after.strip_prefix(':') {
            let ty = annotated.split('=').next().unwrap_or(annotated).trim();
            lets.push((name.to_string(), LetType::Annotated(ty.to_string())));
        } else if let Some(init) = after.strip_prefix('=') {
            lets.push((name.to_string(), LetType::Init(init.trim().to_string())));
        }
    }
    lets
}

/// `Result<T, E>` or `Option<T>` → `T`; anything else unchanged.
fn unwrap_result(ty: &str) -> String {
    let ty = ty.trim();
    let last = ty.split('<').next().unwrap_or(ty);
    let base = last.rsplit("::").next().unwrap_or(last);
    if matches!(base, "Result" | "Option") && ty.ends_with('>') {
        let inner = &ty[last.len() + 1..ty.len() - 1];
        let mut depth = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '<' | '(' => depth += 1,
                '>' | ')' => depth -= 1,
                ',' if depth == 0 => return inner[..i].trim().to_string(),
                _ => {}
            }
        }
        return inner.trim().to_string();
    }
    ty.to_string()
}

/// A return type with `Self` replaced by the receiver's type.
fn resolve_self(returns: &str, ty: &str) -> Option<String> {
    let resolved = returns.replace("Self", &base_name(ty));
    Some(resolved)
}

/// `std::vec::Vec<u32>` → `Vec`; `&mut Workload` → `Workload`; `[f64]` → `slice`.
fn base_name(ty: &str) -> String {
    let ty = ty
        .trim()
        .trim_start_matches('&')
        .trim_start_matches("mut ")
        .trim();
    if ty.starts_with('[') {
        return "slice".into();
    }
    let path = ty.split('<').next().unwrap_or(ty);
    path.rsplit("::").next().unwrap_or(path).trim().to_string()
}

/// The start of the identifier that ends at `end`.
fn ident_start(code: &str, end: usize) -> usize {
    code[..end]
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| {
            i + code[i..].chars().next().map_or(1, char::len_utf8)
        })
}

/// For code ending in `)`, the byte offset of its matching `(`.
fn matching_open(code: &str) -> Option<usize> {
    if !code.ends_with(')') {
        return None;
    }
    let mut depth = 0;
    for (i, c) in code.char_indices().rev() {
        match c {
            ')' | ']' => depth += 1,
            '(' | '[' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn floor_char_boundary(code: &str, mut at: usize) -> usize {
    at = at.min(code.len());
    while !code.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completer() -> Completer {
        let napkin = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        Completer::new(&napkin, super::super::cache::sysroot().as_deref())
    }

    fn complete(c: &mut Completer, code: &str, vars: &[(&str, &str)]) -> Vec<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        c.complete(code, code.len(), &vars, &[]).matches
    }

    #[test]
    fn completes_napkin_methods_of_a_variable_and_of_a_let_in_the_cell() {
        let mut c = completer();
        let found = complete(&mut c, "w.", &[("w", "napkin::estimate::Workload")]);
        assert!(found.contains(&"estimate".to_string()), "{found:?}");
        assert!(found.contains(&"reads_per_write".to_string()), "{found:?}");
        let found = complete(
            &mut c,
            "let w = Workload::new(users(1e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0));\nw.est",
            &[],
        );
        assert_eq!(found, ["estimate"]);
        let found = complete(
            &mut c,
            "let e = Workload::new(users(1e6), per_user_per_day(1.0)).estimate()?;\ne.",
            &[],
        );
        assert!(found.contains(&"work".to_string()), "{found:?}");
    }

    #[test]
    fn completes_enum_variants_free_functions_and_variables() {
        let mut c = completer();
        let found = complete(&mut c, "Per::", &[]);
        assert!(found.contains(&"Second".to_string()), "{found:?}");
        let found = complete(&mut c, "per_user_per", &[]);
        assert!(found.contains(&"per_user_per_day".to_string()), "{found:?}");
        let found = complete(&mut c, "pea", &[("peak", "napkin::quantity::Rate")]);
        assert_eq!(found.first().map(String::as_str), Some("peak"));
    }

    #[test]
    fn inspects_napkin_items_with_their_doc_comments() {
        let mut c = completer();
        let doc = c
            .inspect("users(1e6)", 2, &[])
            .expect("users is documented");
        let text = doc["text/plain"].as_str().unwrap();
        assert!(text.contains("pub fn users"), "{text}");
        assert!(text.lines().count() > 2, "{text}");
    }

    #[test]
    fn completes_std_from_the_rust_docs_when_installed() {
        let mut c = completer();
        if c.docs.is_none() {
            // rustup's minimal profile has no rust-docs; the default profile has.
            return;
        }
        let found = complete(&mut c, "let v: Vec<u32> = Vec::new(); v.pu", &[]);
        assert!(found.contains(&"push".to_string()), "{found:?}");
        let found = complete(&mut c, "std::collections::Hash", &[]);
        assert!(found.contains(&"HashMap".to_string()), "{found:?}");
        let found = complete(&mut c, "v.le", &[("v", "std::vec::Vec<f64>")]);
        assert!(found.contains(&"len".to_string()), "{found:?}");
        let doc = c.inspect("v.push(1)", 3, &[("v".into(), "std::vec::Vec<u32>".into())]);
        let text = doc.expect("push is documented")["text/plain"].clone();
        assert!(
            text.as_str().unwrap().contains("Appends an element"),
            "{text}"
        );
    }

    #[test]
    fn helpers_read_types_and_lets() {
        assert_eq!(unwrap_result("Result<Estimate, Error>"), "Estimate");
        assert_eq!(unwrap_result("Option<Vec<(u8, u8)>>"), "Vec<(u8, u8)>");
        assert_eq!(base_name("std::vec::Vec<u32>"), "Vec");
        assert_eq!(base_name("&mut Workload"), "Workload");
        assert_eq!(
            local_lets("let x: f64 = 1.0; let mut y = x * 2.0; let z"),
            [
                ("x".to_string(), LetType::Annotated("f64".into())),
                ("y".to_string(), LetType::Init("x * 2.0".into()))
            ]
        );
        assert_eq!(matching_open("a.b(c(d), [e])"), Some(3));
    }
}
