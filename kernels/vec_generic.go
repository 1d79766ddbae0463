package kernels

// vecLanes is the number of independent partial sums the reference
// reductions keep. Besides letting the compiler overlap the adds, it fixes
// the summation order: lane j sums elements j, j+vecLanes, …; the lanes are
// then added pairwise, then the tail in order.
const vecLanes = 8

// dotGeneric is the reference Dot.
func dotGeneric[T Float](x, y []T) T {
	var s [vecLanes]T
	n := len(x) &^ (vecLanes - 1)
	y = y[:len(x)]
	for i := 0; i < n; i += vecLanes {
		xx, yy := x[i:i+vecLanes:i+vecLanes], y[i:i+vecLanes:i+vecLanes]
		for j := range vecLanes {
			s[j] += xx[j] * yy[j]
		}
	}
	r := reduceLanes(&s)
	for i := n; i < len(x); i++ {
		r += x[i] * y[i]
	}
	return r
}

// sumGeneric is the reference Sum.
func sumGeneric[T Float](x []T) T {
	var s [vecLanes]T
	n := len(x) &^ (vecLanes - 1)
	for i := 0; i < n; i += vecLanes {
		xx := x[i : i+vecLanes : i+vecLanes]
		for j := range vecLanes {
			s[j] += xx[j]
		}
	}
	r := reduceLanes(&s)
	for i := n; i < len(x); i++ {
		r += x[i]
	}
	return r
}

func reduceLanes[T Float](s *[vecLanes]T) T {
	return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]))
}

func axpyGeneric[T Float](alpha T, x, y []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

func scaleGeneric[T Float](alpha T, x []T) {
	for i := range x {
		x[i] *= alpha
	}
}

func mulGeneric[T Float](dst, x, y []T) {
	y = y[:len(x)]
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = v * y[i]
	}
}
