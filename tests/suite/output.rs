//! Sweeps, tables, charts and rich display: DataFrame columns and values
//! against the chain, HTML and SVG parsed by an XML parser, PNG decoded,
//! and the MIME types each value displays with.

use napkin::display::Rich;
use napkin::prelude::*;

fn seed() -> Workload {
    Workload::new(users(100e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0))
}

#[test]
fn sweep_columns_and_the_seed_row() {
    let frame = Sweep::new(seed())
        .vary(Param::Users, log_range(1e3, 1e8, 2).unwrap())
        .run()
        .unwrap();
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names[0], "users");
    for expected in [
        "peak_requests [req/s]",
        "storage_per_day [B]",
        "storage_per_year [B]",
        "stage",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    let e = seed().estimate().unwrap();
    let row = frame.height() - 1; // 100M users
    let get = |name: &str| frame.column(name).unwrap().f64().unwrap().get(row).unwrap();
    assert_eq!(get("users"), 100e6);
    assert_eq!(get("writes [req/s]"), e.writes.per_second());
    assert!((get("peak_writes [req/s]") - 34_722.22).abs() < 0.01);
    assert!((get("storage_per_day [B]") - 1e12).abs() < 1.0);
    assert!((get("storage_per_year [B]") - 365e12).abs() < 365.0);
    assert_eq!(
        frame.column("stage").unwrap().u32().unwrap().get(row),
        Some(5)
    );
}

#[test]
fn sweeps_filter_and_select_by_column_names_with_or_without_units() {
    let frame = Sweep::new(seed())
        .vary(Param::Users, log_range(1e3, 1e8, 2).unwrap())
        .run()
        .unwrap();
    let busy = frame
        .rows_where("peak_requests", |qps| qps > 1000.0)
        .unwrap()
        .pick(["users", "peak_requests [req/s]", "stage"])
        .unwrap();
    assert_eq!(busy.height(), 4); // 3.16M, 10M, 31.6M, 100M users
    assert_eq!(
        busy.get_column_names(),
        ["users", "peak_requests [req/s]", "stage"]
    );
    let users: Vec<f64> = busy
        .column("users")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert!((users[0] - 10f64.powf(6.5)).abs() < 1.0, "{users:?}");
    // The same filter through polars itself, as the frame derefs to its DataFrame.
    let peak = frame
        .column("peak_requests [req/s]")
        .unwrap()
        .f64()
        .unwrap()
        .clone();
    let mask: napkin::polars::prelude::BooleanChunked =
        peak.iter().map(|q| q.is_some_and(|q| q > 1000.0)).collect();
    assert_eq!(frame.filter(&mask).unwrap().height(), 4);

    let typo = frame
        .rows_where("peak_request", |_| true)
        .unwrap_err()
        .to_string();
    assert!(
        typo.starts_with("no column \"peak_request\"; the frame has: \"users\""),
        "{typo}"
    );
    assert!(typo.contains("\"peak_requests [req/s]\""), "{typo}");
    let typo = frame.pick(["users", "stag"]).unwrap_err().to_string();
    assert!(typo.starts_with("no column \"stag\""), "{typo}");
    let words = Frame::from(napkin::polars::prelude::df!("name" => ["a", "b"]).unwrap());
    let text = words.rows_where("name", |_| true).unwrap_err().to_string();
    assert!(text.starts_with("column \"name\" is not numeric"), "{text}");
}

#[test]
fn tables_are_well_formed_html() {
    let frame = Sweep::new(seed())
        .vary(Param::Users, log_range(1e3, 1e8, 2).unwrap())
        .run()
        .unwrap();
    let html = frame.to_table(20).to_html();
    assert!(!html.contains("<style"));
    let doc = roxmltree::Document::parse(&html).expect("table HTML parses as XML");
    let cells: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("td"))
        .filter_map(|n| n.text())
        .collect();
    assert!(cells.contains(&"365 TB"), "{cells:?}");
    assert!(
        cells.contains(&"5 · Microservices + multi-region"),
        "{cells:?}"
    );
    for table in [
        napkin::reference::latency_table(),
        napkin::reference::powers_of_two_table(),
        napkin::reference::availability_table(),
        napkin::reference::capacity_table(),
        napkin::reference::cost_table(),
        seed().estimate().unwrap().table(),
    ] {
        roxmltree::Document::parse(&table.to_html()).expect("reference table HTML parses");
    }
}

#[test]
fn journey_chart_svg_is_readable_xml() {
    let svg = Chart::journey(&seed()).unwrap().to_svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("SVG parses as XML");
    let text: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect();
    let all = text.join("|");
    for expected in [
        "1 · Single server",
        "5 · Microservices",
        "daily active users",
        "peak requests",
        "1M",
        "100K",
    ] {
        assert!(
            all.contains(expected),
            "{expected:?} not in SVG text: {all}"
        );
    }
    assert!(!all.contains("1000000"), "raw numbers on an axis: {all}");
}

#[test]
fn journey_chart_png_decodes_and_is_not_blank() {
    let png_bytes = Chart::journey(&seed()).unwrap().to_png().unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (900, 720));
    let pixels = &buf[..info.buffer_size()];
    let non_white = pixels.chunks(3).filter(|p| p != &[255, 255, 255]).count();
    assert!(
        non_white > pixels.len() / 3 / 10,
        "only {non_white} non-white pixels"
    );
    let dark = pixels
        .chunks(3)
        .filter(|p| p.iter().all(|c| *c < 100))
        .count();
    assert!(dark > 500, "no text or axes drawn ({dark} dark pixels)");
}

#[test]
fn journey_without_storage_has_one_panel() {
    let w = Workload::new(users(1e6), per_user_per_day(10.0));
    let svg = Chart::journey(&w).unwrap().to_svg().unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    assert!(svg.contains("peak requests"));
    assert!(!svg.contains("storage per year"));
}

#[test]
fn storage_and_line_charts_render() {
    let e = seed().replication(3.0).estimate().unwrap();
    let svg = Chart::storage_growth(&e).unwrap().to_svg().unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    assert!(svg.contains("3 copies"));
    let frame = Sweep::new(seed())
        .vary(Param::Users, log_range(1e3, 1e8, 2).unwrap())
        .run()
        .unwrap();
    let chart = Chart::lines(
        &frame,
        "users",
        &["peak_requests [req/s]", "requests [req/s]"],
        true,
        true,
    )
    .unwrap();
    roxmltree::Document::parse(&chart.to_svg().unwrap()).unwrap();
    let err = Chart::lines(&frame, "users", &["nope"], true, true).unwrap_err();
    assert!(err.to_string().contains("no column \"nope\""), "{err}");
}

#[test]
fn every_value_displays_with_the_right_mime_types() {
    let mimes = |b: Vec<(&'static str, String)>| b.into_iter().map(|(m, _)| m).collect::<Vec<_>>();
    assert_eq!(
        mimes(per_second(1.0).mime_bundle()),
        ["text/plain", "text/html"]
    );
    assert_eq!(mimes(kb(1.0).mime_bundle()), ["text/plain", "text/html"]);
    assert_eq!(
        mimes(seed().estimate().unwrap().mime_bundle()),
        ["text/plain", "text/html", "text/markdown"]
    );
    assert_eq!(
        mimes(STAGES[3].mime_bundle()),
        ["text/plain", "text/markdown"]
    );
    assert!(STAGES[3].mime_bundle()[1].1.contains("```mermaid"));
    let frame = Sweep::new(seed())
        .vary(Param::Users, [1e3, 1e6])
        .run()
        .unwrap();
    assert_eq!(
        mimes(frame.mime_bundle()),
        ["text/plain", "text/html", "text/markdown"]
    );
    assert_eq!(
        mimes(napkin::reference::latency_table().mime_bundle()),
        ["text/plain", "text/html", "text/markdown"]
    );
    assert_eq!(
        mimes(Chart::journey(&seed()).unwrap().mime_bundle()),
        ["text/plain", "image/svg+xml", "image/png"]
    );
}

/// A sizing says "1 server", and groups a large count the same way in its headline, its
/// table title and its work lines.
#[test]
fn server_counts_agree_in_number_and_grouping() {
    let server = Server::new(qps(10_000.0), gb(64.0), tb(10.0));
    let one = Workload::new(users(1e3), per_user_per_day(10.0))
        .estimate()
        .unwrap()
        .servers(&server)
        .unwrap();
    assert_eq!(one.servers, 1);
    assert!(one.to_string().starts_with("1 server ("), "{one}");
    let many = Workload::new(users(1e11), per_user_per_day(1_000.0))
        .bytes_per_write(kb(1.0))
        .estimate()
        .unwrap()
        .servers(&server)
        .unwrap();
    let headline = many.to_string();
    let count = napkin::format::grouped(many.servers as f64);
    assert!(count.contains(','), "{count}");
    assert!(
        headline.starts_with(&format!("{count} servers (")),
        "{headline}"
    );
    assert!(
        many.steps
            .iter()
            .any(|s| s.work.contains(&format!("= {count} servers")))
    );
    let html = many
        .mime_bundle()
        .into_iter()
        .find(|(mime, _)| *mime == "text/html")
        .map(|(_, html)| html.to_string())
        .expect("an HTML table");
    assert!(html.contains(&format!("{count} servers —")), "{html}");
}
