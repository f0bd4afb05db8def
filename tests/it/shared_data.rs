//! Under CI the shared datasets must be there: without them the tests on real data are ignored,
//! and a CI run that ignores them says nothing about the data the promises are about.

#[test]
fn the_shared_datasets_are_there_when_ci_runs() {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    let there = cfg!(shared_data);
    if ci {
        assert!(
            there,
            "CI is set but ../shared/data is missing or incomplete: the tests on real data would \
             be ignored (the README says where each dataset comes from)"
        );
    } else if !there {
        eprintln!("../shared/data is missing: the tests on real data are ignored (see README)");
    }
}
