//! The scaling journey from the seed as data: five stages from one server
//! at 1K users to microservices across regions at 10M+, what each adds and
//! why, which stage a workload is at, and each stage's architecture as a
//! Mermaid diagram (the seed's own medium), which renders in JupyterLab and
//! MkDocs.
//!
//! ```
//! use napkin::prelude::*;
//! use napkin::journey::Stage;
//! assert_eq!(Stage::for_users(users(250e3)).name, "Load balancer + replicas");
//! assert!(Stage::for_users(users(100e6)).mermaid().starts_with("graph LR"));
//! ```

use std::fmt;

use crate::display::{Bundle, Rich};
use crate::format;
use crate::quantity::{Rate, Users};

/// One stage of the scaling journey.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Stage {
    /// 1 to 5.
    pub number: usize,
    /// Name, as in the seed: `Single server`, `Cache + DB`, …
    pub name: &'static str,
    /// A shorter name for chart labels: `LB + replicas`.
    pub short: &'static str,
    /// Daily active users from which this stage applies.
    pub from_users: f64,
    /// What the stage adds to the one before.
    pub adds: &'static [&'static str],
    /// Why: the pressure that forces the change.
    pub why: &'static str,
    /// The architecture, as the body of a Mermaid `graph LR`.
    diagram: &'static str,
}

/// Requests per user per day and peak factor of the seed's typical workload,
/// used to place a peak rate on the journey.
const TYPICAL_REQUESTS_PER_USER_PER_DAY: f64 = 10.0;
const TYPICAL_PEAK_FACTOR: f64 = 3.0;
/// Seconds in the seed's day.
const DAY: f64 = crate::convention::Conventions::EXACT.day;

/// The five stages of the seed's scaling journey (1K → 10K → 100K → 1M → 10M+ users).
pub static STAGES: [Stage; 5] = [
    Stage {
        number: 1,
        name: "Single server",
        short: "Single server",
        from_users: 0.0,
        adds: &["one server running the app and its database"],
        why: "Start simple: at ~1K users one machine has room to spare, and one box is the easiest to build, run and debug.",
        diagram: r#"    U[Users] --> S["App server + DB<br/>(one machine)"]"#,
    },
    Stage {
        number: 2,
        name: "Cache + DB",
        short: "Cache + DB",
        from_users: 10e3,
        adds: &[
            "a separate database server",
            "a cache (Redis/Memcached) in front of it",
        ],
        why: "At ~10K users the app and the database compete for one machine; splitting them lets each scale, and a cache takes repeated reads off the database.",
        diagram: r#"    U[Users] --> A[App server]
    A --> C[(Cache)]
    A --> D[(Database)]"#,
    },
    Stage {
        number: 3,
        name: "Load balancer + replicas",
        short: "LB + replicas",
        from_users: 100e3,
        adds: &[
            "a load balancer",
            "several stateless app servers",
            "read replicas of the database",
        ],
        why: "At ~100K users one app server is a bottleneck and a single point of failure; scale out behind a load balancer and send reads to replicas.",
        diagram: r#"    U[Users] --> LB{Load balancer}
    LB --> A1[App 1]
    LB --> A2[App 2]
    LB --> A3[App 3]
    A1 & A2 & A3 --> C[(Cache)]
    A1 & A2 & A3 -->|writes| P[(Primary DB)]
    A1 & A2 & A3 -->|reads| R1[(Replica 1)]
    A1 & A2 & A3 -->|reads| R2[(Replica 2)]
    P -.->|replicate| R1
    P -.->|replicate| R2"#,
    },
    Stage {
        number: 4,
        name: "Sharding + CDN",
        short: "Sharding + CDN",
        from_users: 1e6,
        adds: &[
            "database shards behind a shard router",
            "a CDN for static content",
            "object storage for media",
        ],
        why: "At ~1M users writes and data outgrow one primary: shard by key. Static files move to a CDN close to users.",
        diagram: r#"    U[Users] --> CDN[CDN]
    U --> LB{Load balancer}
    CDN -.->|miss| OS[(Object storage)]
    LB --> A1[App servers]
    A1 --> C[(Cache cluster)]
    A1 --> SR{Shard router}
    SR --> S1[(Shard 1)]
    SR --> S2[(Shard 2)]
    SR --> S3[(Shard 3)]
    A1 --> OS"#,
    },
    Stage {
        number: 5,
        name: "Microservices + multi-region",
        short: "Microservices",
        from_users: 10e6,
        adds: &[
            "services split by domain behind an API gateway",
            "message queues for async work",
            "several regions with geo-routing",
        ],
        why: "At 10M+ users teams and traffic outgrow one codebase and one region: split services, decouple with queues, serve users from the nearest region.",
        diagram: r#"    U[Users] --> DNS{Geo DNS}
    DNS --> R1[Region A: API gateway]
    DNS --> R2[Region B: API gateway]
    R1 --> US[User service]
    R1 --> FS[Feed service]
    R1 --> MS[Media service]
    US --> UDB[(User DB shards)]
    FS --> FC[(Feed cache)]
    MS --> Q[[Message queue]]
    Q --> W[Workers]
    W --> OS[(Object storage + CDN)]
    R2 -.->|same services| US
    UDB -.->|cross-region replication| R2"#,
    },
];

impl Stage {
    /// The stage a number of daily active users is at.
    ///
    /// Non-finite or negative counts are placed at the first stage.
    pub fn for_users(users: Users) -> &'static Stage {
        let n = users.count();
        STAGES
            .iter()
            .rev()
            .find(|s| n >= s.from_users)
            .unwrap_or(&STAGES[0])
    }

    /// The stage a peak request rate is at: the stage a typical workload of
    /// the seed (10 requests per user per day, peak = 3 × average) reaches
    /// at that rate. For 100M DAU that is 34.7K req/s: stage 5.
    pub fn for_peak(peak: Rate) -> &'static Stage {
        let users =
            peak.per_second() / TYPICAL_PEAK_FACTOR / TYPICAL_REQUESTS_PER_USER_PER_DAY * DAY;
        Stage::for_users(Users::raw(users))
    }

    /// The peak rate from which a typical workload is at this stage.
    pub fn from_peak(&self) -> Rate {
        crate::quantity::per_second(
            self.from_users * TYPICAL_REQUESTS_PER_USER_PER_DAY * TYPICAL_PEAK_FACTOR / DAY,
        )
    }

    /// The users label of the seed: `1K users`, `10K users`, …, `10M+ users`.
    pub fn label(&self) -> String {
        match self.number {
            1 => "1K users".to_string(),
            5 => "10M+ users".to_string(),
            _ => format!("{} users", format::compact(self.from_users)),
        }
    }

    /// The architecture as Mermaid source (`graph LR …`).
    pub fn mermaid(&self) -> String {
        format!(
            "graph LR\n{}\n    classDef stage fill:#e8f1ff,stroke:#3465a4;\n",
            self.diagram
        )
    }

    /// Markdown: a heading, what it adds and why, and the diagram in a
    /// ```` ```mermaid ```` fence (rendered by JupyterLab and MkDocs Material).
    pub fn to_markdown(&self) -> String {
        let mut md = format!(
            "**Stage {} — {} ({})**\n\n{}\n\nAdds: {}.\n\n```mermaid\n{}```\n",
            self.number,
            self.name,
            self.label(),
            self.why,
            self.adds.join("; "),
            self.mermaid()
        );
        md.truncate(md.trim_end().len());
        md.push('\n');
        md
    }

    /// Shows the stage in an evcxr-based Jupyter kernel: `text/markdown`
    /// with the Mermaid diagram, and `text/plain`.
    pub fn evcxr_display(&self) {
        crate::display::emit(&self.mime_bundle());
    }
}

impl Rich for Stage {
    fn mime_bundle(&self) -> Bundle {
        vec![
            ("text/plain", self.to_string()),
            ("text/markdown", self.to_markdown()),
        ]
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Stage {} — {} (from {}): adds {}",
            self.number,
            self.name,
            self.label(),
            self.adds.join("; ")
        )
    }
}

/// The whole journey as one Markdown document: every stage with its diagram.
pub fn journey_markdown() -> String {
    STAGES
        .iter()
        .map(Stage::to_markdown)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn stages_by_users() {
        assert_eq!(Stage::for_users(users(500.0)).number, 1);
        assert_eq!(Stage::for_users(users(10e3)).number, 2);
        assert_eq!(Stage::for_users(users(999_999.0)).number, 3);
        assert_eq!(Stage::for_users(users(1e6)).number, 4);
        assert_eq!(Stage::for_users(users(100e6)).number, 5);
        assert_eq!(Stage::for_users(users(1.0) * f64::NAN).number, 1);
    }

    #[test]
    fn stages_by_peak_match_users_for_the_typical_workload() {
        for dau in [2e3, 20e3, 200e3, 2e6, 20e6] {
            let peak = (users(dau) * per_user_per_day(10.0)) * 3.0;
            assert_eq!(
                Stage::for_peak(peak).number,
                Stage::for_users(users(dau)).number
            );
        }
        assert_eq!(STAGES[4].from_peak().to_string(), "3.47K req/s");
    }

    #[test]
    fn labels_and_markdown() {
        let labels: Vec<_> = STAGES.iter().map(Stage::label).collect();
        assert_eq!(
            labels,
            [
                "1K users",
                "10K users",
                "100K users",
                "1M users",
                "10M+ users"
            ]
        );
        let md = STAGES[2].to_markdown();
        assert!(md.contains("```mermaid\ngraph LR\n"));
        assert!(md.trim_end().ends_with("```"));
    }
}
