//! Principal components, for shrinking the token vectors: the covariance's
//! eigenvectors by Jacobi rotations (deterministic, no dependency; a few
//! seconds at 384 wide).

/// `data` (rows of `width`) centred and projected on its `dims` strongest
/// components. Each component's sign is fixed (its largest entry is
/// positive), so the result does not depend on rounding order.
pub fn reduce(data: &[f32], width: usize, dims: usize) -> Vec<f32> {
    let rows = data.len() / width;
    let mut mean = vec![0.0f64; width];
    for row in data.chunks(width) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += f64::from(*v);
        }
    }
    mean.iter_mut().for_each(|m| *m /= rows.max(1) as f64);
    let mut cov = vec![0.0f64; width * width];
    let mut centred = vec![0.0f64; width];
    for row in data.chunks(width) {
        for ((c, v), m) in centred.iter_mut().zip(row).zip(&mean) {
            *c = f64::from(*v) - m;
        }
        for i in 0..width {
            let ci = centred[i];
            let out = &mut cov[i * width..(i + 1) * width];
            for (o, cj) in out[i..].iter_mut().zip(&centred[i..]) {
                *o += ci * cj;
            }
        }
    }
    for i in 0..width {
        for j in 0..i {
            cov[i * width + j] = cov[j * width + i];
        }
    }
    let (values, vectors) = eigen(cov, width);
    let mut order: Vec<usize> = (0..width).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let components: Vec<Vec<f64>> = order[..dims]
        .iter()
        .map(|&k| {
            let mut v: Vec<f64> = (0..width).map(|i| vectors[i * width + k]).collect();
            let largest = v
                .iter()
                .copied()
                .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
            if largest < 0.0 {
                v.iter_mut().for_each(|x| *x = -*x);
            }
            v
        })
        .collect();
    let mut out = Vec::with_capacity(rows * dims);
    for row in data.chunks(width) {
        for component in &components {
            let dot: f64 = row
                .iter()
                .zip(&mean)
                .zip(component)
                .map(|((v, m), c)| (f64::from(*v) - m) * c)
                .sum();
            out.push(dot as f32);
        }
    }
    out
}

/// Eigenvalues and eigenvectors (as columns) of the symmetric `a`, by
/// cyclic Jacobi sweeps until the off-diagonal is negligible.
fn eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let scale: f64 = a
        .iter()
        .map(|x| x * x)
        .sum::<f64>()
        .sqrt()
        .max(f64::MIN_POSITIVE);
    for _ in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-12 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strongest_direction_comes_first() {
        // Points along (1, 1) with a little spread along (1, -1).
        let data: Vec<f32> = (0..20)
            .flat_map(|i| {
                let t = i as f32 - 9.5;
                let e = if i % 2 == 0 { 0.1 } else { -0.1 };
                [t + e, t - e]
            })
            .collect();
        let out = reduce(&data, 2, 1);
        assert_eq!(out.len(), 20);
        // The projection is the position along (1, 1) / √2.
        for (i, x) in out.iter().enumerate() {
            let want = (i as f32 - 9.5) * std::f32::consts::SQRT_2;
            assert!((x - want).abs() < 1e-3, "{i}: {x} vs {want}");
        }
    }
}
