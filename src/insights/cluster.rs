//! Customer clusters by k-means (linfa-clustering) on standardised log-RFM, tenure and basket size,
//! each described in words by where its centroid stands.

use super::rfm::Rfm;
use linfa::DatasetBase;
use linfa::prelude::*;
use linfa_clustering::KMeans;
use linfa_nn::distance::Distance;
use ndarray::{Array1, Array2, ArrayView, Axis, Dimension};
use rand_xoshiro::Xoshiro256Plus;
// linfa-clustering seeds through rand_xoshiro's own rand_core, not the one our `rand` uses.
use rand_xoshiro::rand_core::SeedableRng as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterCount {
    Fixed(usize),
    /// Chosen by silhouette score over 2..=8.
    Auto,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cluster {
    pub id: usize,
    pub size: usize,
    /// Standardised feature values of the centroid, in `FEATURES` order.
    pub centroid: Vec<f64>,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Clustering {
    pub k: usize,
    pub clusters: Vec<Cluster>,
    /// Cluster of each input row, in input order.
    pub assignment: Vec<usize>,
    /// Mean silhouette on the scored sample; None when there were too few customers to score.
    pub silhouette: Option<f64>,
}

pub const FEATURES: [&str; 5] = ["recency", "frequency", "monetary", "tenure", "basket"];

/// Words for a centroid well below and well above the mean, per feature.
const WORDS: [(&str, &str); 5] = [
    ("recent", "lapsed"),
    ("occasional", "frequent"),
    ("low spend", "high spend"),
    ("new", "long-standing"),
    ("small baskets", "big baskets"),
];

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("{customers} customers with purchases: too few for {k} clusters")]
    TooFew { customers: usize, k: usize },
    #[error("k must be at least 2")]
    BadK,
    #[error("k-means failed: {0}")]
    Fit(String),
}

/// The feature matrix: one row per customer, log1p of each feature, standardised to mean 0, sd 1.
pub fn features(rows: &[Rfm], units: &[f64]) -> Array2<f64> {
    let mut x = Array2::<f64>::zeros((rows.len(), FEATURES.len()));
    for (i, r) in rows.iter().enumerate() {
        let basket = units[i] / r.frequency.max(1) as f64;
        let raw = [
            r.recency_days.max(0) as f64,
            r.frequency as f64,
            r.monetary.to_f64().max(0.0),
            r.tenure_days.max(0) as f64,
            basket,
        ];
        for (j, v) in raw.iter().enumerate() {
            x[[i, j]] = v.ln_1p();
        }
    }
    for mut column in x.axis_iter_mut(Axis(1)) {
        let mean = column.mean().unwrap_or(0.0);
        let sd = column.std(0.0);
        column.mapv_inplace(|v| if sd > 0.0 { (v - mean) / sd } else { 0.0 });
    }
    x
}

/// Auto-k tries each k on this many customers at most: k-means over all 100,000 for seven values
/// of k took four seconds, and the choice does not move with more rows of the same population.
const CHOOSE_SAMPLE: usize = 10_000;

/// `take` row numbers spread evenly over `n` rows.
fn evenly(n: usize, take: usize) -> Vec<usize> {
    (0..take).map(|i| i * n / take).collect()
}

/// Silhouette is quadratic in the points scored; this many keep auto-k to a breath at 100,000 customers.
const SILHOUETTE_SAMPLE: usize = 2_000;

pub fn cluster(x: &Array2<f64>, k: ClusterCount, seed: u64) -> Result<Clustering, ClusterError> {
    let n = x.nrows();
    match k {
        ClusterCount::Fixed(k) => {
            if k < 2 {
                return Err(ClusterError::BadK);
            }
            if n < k {
                return Err(ClusterError::TooFew { customers: n, k });
            }
            fit(x, k, seed)
        }
        ClusterCount::Auto => {
            // Past a sample's worth, k is chosen on evenly spaced rows (rows come in customer
            // order, which says nothing of the features), and the chosen clusters are then
            // refined on every row from the sample's centroids.
            let sample = (n > CHOOSE_SAMPLE).then(|| x.select(Axis(0), &evenly(n, CHOOSE_SAMPLE)));
            let on = sample.as_ref().unwrap_or(x);
            let mut best: Option<Clustering> = None;
            for k in 2..=8.min(n.saturating_sub(1)) {
                let c = fit(on, k, seed)?;
                if best
                    .as_ref()
                    .is_none_or(|b| c.silhouette.unwrap_or(-1.0) > b.silhouette.unwrap_or(-1.0))
                {
                    best = Some(c);
                }
            }
            let best = best.ok_or(ClusterError::TooFew { customers: n, k: 2 })?;
            match sample {
                None => Ok(best),
                Some(_) => {
                    let centroids = Array2::from_shape_fn((best.k, x.ncols()), |(i, j)| {
                        best.clusters[i].centroid[j]
                    });
                    let params = kmeans_params(best.k, seed, 1)
                        .init_method(linfa_clustering::KMeansInit::Precomputed(centroids));
                    fit_with(x, best.k, params)
                }
            }
        }
    }
}

/// Euclidean distance over contiguous rows. linfa's own `L2Dist` goes through ndarray's generic
/// zip for every pair, which on five-feature rows costs more than the arithmetic (two thirds of
/// k-means' time, by perf).
#[derive(Clone, Debug)]
pub struct RowL2;

impl Distance<f64> for RowL2 {
    fn distance<D: Dimension>(&self, a: ArrayView<f64, D>, b: ArrayView<f64, D>) -> f64 {
        self.rdistance(a, b).sqrt()
    }

    // Called for every point and centroid: inlined, the call costs more than the sum.
    #[inline(always)]
    fn rdistance<D: Dimension>(&self, a: ArrayView<f64, D>, b: ArrayView<f64, D>) -> f64 {
        match (a.as_slice(), b.as_slice()) {
            (Some(a), Some(b)) => a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum(),
            _ => a.iter().zip(b.iter()).map(|(x, y)| (x - y) * (x - y)).sum(),
        }
    }

    fn rdist_to_dist(&self, rdist: f64) -> f64 {
        rdist.sqrt()
    }

    fn dist_to_rdist(&self, dist: f64) -> f64 {
        dist * dist
    }
}

/// Centroids that move less than this between iterations (in standard deviations, all together)
/// have converged. scikit-learn's default rule (squared move under 1e-4 x the mean variance) is
/// this on standardised features; linfa's example value, 1e-4 unsquared, costs many more
/// iterations for moves nobody could see in a segment description.
const CONVERGED: f64 = 1e-2;

/// The k-means the insights run: k-means++ starts, `runs` of them, best kept.
pub fn kmeans_params(
    k: usize,
    seed: u64,
    runs: usize,
) -> linfa_clustering::KMeansParams<f64, Xoshiro256Plus, RowL2> {
    KMeans::params_with(k, Xoshiro256Plus::seed_from_u64(seed), RowL2)
        .n_runs(runs)
        .tolerance(CONVERGED)
        .max_n_iterations(300)
}

fn fit(x: &Array2<f64>, k: usize, seed: u64) -> Result<Clustering, ClusterError> {
    fit_with(x, k, kmeans_params(k, seed, 3))
}

fn fit_with(
    x: &Array2<f64>,
    k: usize,
    params: linfa_clustering::KMeansParams<f64, Xoshiro256Plus, RowL2>,
) -> Result<Clustering, ClusterError> {
    let dataset = DatasetBase::from(x.clone());
    let model = params
        .fit(&dataset)
        .map_err(|e| ClusterError::Fit(e.to_string()))?;
    let assignment: Array1<usize> = model.predict(x);
    let centroids = model.centroids();
    let mut clusters: Vec<Cluster> = (0..k)
        .map(|id| {
            let centroid: Vec<f64> = centroids.row(id).to_vec();
            Cluster {
                id,
                size: assignment.iter().filter(|&&a| a == id).count(),
                description: describe(&centroid),
                centroid,
            }
        })
        .collect();
    // Biggest first, and ids renumbered to match, so output does not depend on linfa's order.
    clusters.sort_by(|a, b| {
        b.size.cmp(&a.size).then(
            a.centroid
                .partial_cmp(&b.centroid)
                .unwrap_or(std::cmp::Ordering::Equal),
        )
    });
    let mut renumber = vec![0; k];
    for (new, c) in clusters.iter_mut().enumerate() {
        renumber[c.id] = new;
        c.id = new;
    }
    let assignment: Vec<usize> = assignment.iter().map(|&a| renumber[a]).collect();
    let silhouette = silhouette(x, &assignment);
    Ok(Clustering {
        k,
        clusters,
        assignment,
        silhouette,
    })
}

fn silhouette(x: &Array2<f64>, assignment: &[usize]) -> Option<f64> {
    let n = x.nrows();
    if n < 3 {
        return None;
    }
    // Evenly spaced rows: rows come in customer order, which says nothing about the features.
    let picked: Vec<usize> = if n <= SILHOUETTE_SAMPLE {
        (0..n).collect()
    } else {
        evenly(n, SILHOUETTE_SAMPLE)
    };
    let records = x.select(Axis(0), &picked);
    let labels: Vec<usize> = picked.iter().map(|&i| assignment[i]).collect();
    mean_silhouette(&records, &labels)
}

/// The mean silhouette of rows labelled 0..k, as scikit-learn defines it (a row alone in its
/// cluster scores 0); None with fewer than two clusters. linfa's `silhouette_score` gives the
/// same but hashes each pair's label and allocates each pair's difference: a quarter of all the
/// insights' time at 100,000 customers.
fn mean_silhouette(records: &Array2<f64>, labels: &[usize]) -> Option<f64> {
    let k = labels.iter().max()? + 1;
    let mut sizes = vec![0usize; k];
    for &l in labels {
        sizes[l] += 1;
    }
    if sizes.iter().filter(|&&s| s > 0).count() < 2 {
        return None;
    }
    let rows: Vec<&[f64]> = records
        .rows()
        .into_iter()
        .map(|r| r.to_slice().expect("a selected matrix is contiguous"))
        .collect();
    let mut sums = vec![0.0; k];
    let mut total = 0.0;
    for (i, a) in rows.iter().enumerate() {
        sums.fill(0.0);
        for (b, &l) in rows.iter().zip(labels) {
            sums[l] += RowL2
                .rdistance(ArrayView::from(*a), ArrayView::from(*b))
                .sqrt();
        }
        let own = labels[i];
        if sizes[own] == 1 {
            continue;
        }
        let within = sums[own] / (sizes[own] - 1) as f64;
        let nearest = (0..k)
            .filter(|&c| c != own && sizes[c] > 0)
            .map(|c| sums[c] / sizes[c] as f64)
            .fold(f64::INFINITY, f64::min);
        let spread = within.max(nearest);
        if spread > 0.0 {
            total += (nearest - within) / spread;
        }
    }
    Some(total / rows.len() as f64)
}

/// "frequent, recent, high spend": the features where the centroid stands half a deviation or more from
/// the mean, strongest first.
pub fn describe(centroid: &[f64]) -> String {
    let mut notable: Vec<(f64, &str)> = centroid
        .iter()
        .zip(WORDS)
        .filter(|(z, _)| z.abs() >= 0.5)
        .map(|(&z, (low, high))| (z.abs(), if z < 0.0 { low } else { high }))
        .collect();
    notable.sort_by(|a, b| b.0.total_cmp(&a.0));
    if notable.is_empty() {
        return "typical on every count".into();
    }
    notable
        .iter()
        .take(3)
        .map(|(_, w)| *w)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng as _, SeedableRng as _};

    /// Three tight blobs far apart in the 5 feature dimensions.
    fn blobs(per: usize) -> (Array2<f64>, Vec<usize>) {
        let centres = [
            [-2.0, 2.0, 2.0, 1.0, 0.0],
            [2.0, -1.5, -1.0, -1.0, 0.0],
            [0.0, 0.0, 0.0, 2.0, 3.0],
        ];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let mut x = Array2::zeros((per * 3, 5));
        let mut truth = Vec::new();
        for (c, centre) in centres.iter().enumerate() {
            for i in 0..per {
                for j in 0..5 {
                    x[[c * per + i, j]] = centre[j] + rng.random_range(-0.3..0.3);
                }
                truth.push(c);
            }
        }
        (x, truth)
    }

    /// Same partition up to renaming of the clusters.
    fn same_partition(a: &[usize], b: &[usize]) -> bool {
        let mut map = std::collections::HashMap::new();
        a.iter()
            .zip(b)
            .all(|(x, y)| *map.entry(*x).or_insert(*y) == *y)
            && map.values().collect::<std::collections::HashSet<_>>().len() == map.len()
    }

    #[test]
    fn recovers_known_clusters() {
        let (x, truth) = blobs(60);
        let c = cluster(&x, ClusterCount::Fixed(3), 1).unwrap();
        assert!(same_partition(&c.assignment, &truth));
        assert!(c.silhouette.unwrap() > 0.7, "{:?}", c.silhouette);
    }

    #[test]
    fn auto_picks_the_number_of_blobs() {
        let (x, _) = blobs(40);
        assert_eq!(cluster(&x, ClusterCount::Auto, 1).unwrap().k, 3);
    }

    #[test]
    fn auto_past_the_sample_picks_the_blobs_and_places_every_row() {
        let (x, truth) = blobs(CHOOSE_SAMPLE / 3 + 500);
        assert!(x.nrows() > CHOOSE_SAMPLE);
        let c = cluster(&x, ClusterCount::Auto, 1).unwrap();
        assert_eq!(c.k, 3);
        assert_eq!(c.assignment.len(), x.nrows());
        assert!(same_partition(&c.assignment, &truth));
        let sizes: Vec<usize> = c.clusters.iter().map(|c| c.size).collect();
        assert_eq!(sizes, vec![CHOOSE_SAMPLE / 3 + 500; 3]);
    }

    #[test]
    fn silhouette_agrees_with_linfa() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..20 {
            let n = rng.random_range(6..60);
            let k = rng.random_range(2..5);
            let x = Array2::from_shape_fn((n, 5), |_| rng.random_range(-2.0..2.0));
            // Every cluster at least two rows: linfa scores a lone row 1, scikit-learn 0.
            let labels: Vec<usize> = (0..n)
                .map(|i| {
                    if i < 2 * k {
                        i / 2
                    } else {
                        rng.random_range(0..k)
                    }
                })
                .collect();
            let ours = mean_silhouette(&x, &labels).unwrap();
            let theirs = DatasetBase::new(x.clone(), Array1::from(labels.clone()))
                .silhouette_score()
                .unwrap();
            assert!(
                (ours - theirs).abs() < 1e-12,
                "{ours} against linfa's {theirs}"
            );
        }
        assert_eq!(mean_silhouette(&Array2::zeros((4, 5)), &[0, 0, 0, 0]), None);
    }

    #[test]
    fn the_same_seed_gives_the_same_clusters() {
        let (x, _) = blobs(30);
        assert_eq!(
            cluster(&x, ClusterCount::Fixed(4), 5).unwrap(),
            cluster(&x, ClusterCount::Fixed(4), 5).unwrap()
        );
    }

    #[test]
    fn centroids_are_described_in_words() {
        assert_eq!(
            describe(&[-1.2, 0.9, 1.5, 0.1, 0.0]),
            "high spend, recent, frequent"
        );
        assert_eq!(
            describe(&[0.1, -0.2, 0.0, 0.3, 0.0]),
            "typical on every count"
        );
        assert_eq!(describe(&[2.0, -0.6, 0.0, 0.0, 0.0]), "lapsed, occasional");
    }

    #[test]
    fn too_few_customers_is_an_error_not_a_panic() {
        let x = Array2::zeros((2, 5));
        assert!(matches!(
            cluster(&x, ClusterCount::Fixed(3), 1),
            Err(ClusterError::TooFew { .. })
        ));
        assert!(matches!(
            cluster(&x, ClusterCount::Fixed(1), 1),
            Err(ClusterError::BadK)
        ));
    }
}
