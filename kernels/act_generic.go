package kernels

import "math"

func actForwardGeneric[T Float](act Activation, alpha T, x, y []T) {
	y = y[:len(x)]
	switch act {
	case ELU:
		for i, v := range x {
			if v > 0 {
				y[i] = v
			} else {
				y[i] = alpha * T(math.Expm1(float64(v)))
			}
		}
	case ReLU:
		for i, v := range x {
			if v > 0 || v != v {
				y[i] = v
			} else {
				y[i] = 0
			}
		}
	case Tanh:
		for i, v := range x {
			y[i] = T(math.Tanh(float64(v)))
		}
	case Sigmoid:
		for i, v := range x {
			// 1/(1+e^-x) overflows gracefully: e^-x = +Inf gives 0.
			y[i] = T(1 / (1 + math.Exp(-float64(v))))
		}
	}
}

func actBackwardGeneric[T Float](act Activation, alpha T, x, y, dy, dx []T) {
	y, dy, dx = y[:len(x)], dy[:len(x)], dx[:len(x)]
	switch act {
	case ELU:
		for i, v := range x {
			if v > 0 {
				dx[i] = dy[i]
			} else {
				dx[i] = dy[i] * (y[i] + alpha)
			}
		}
	case ReLU:
		for i, v := range x {
			switch {
			case v > 0:
				dx[i] = dy[i]
			case v != v:
				dx[i] = v
			default:
				dx[i] = 0
			}
		}
	case Tanh:
		for i := range x {
			dx[i] = dy[i] * (1 - y[i]*y[i])
		}
	case Sigmoid:
		for i := range x {
			dx[i] = dy[i] * y[i] * (1 - y[i])
		}
	}
}

func adamGeneric[T Float](p, g, m, v []T, lr, beta1, beta2, eps T, t int) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	c1 := 1 / (1 - T(math.Pow(float64(beta1), float64(t))))
	c2 := 1 / (1 - T(math.Pow(float64(beta2), float64(t))))
	for i := range p {
		gi := g[i]
		m[i] = beta1*m[i] + (1-beta1)*gi
		v[i] = beta2*v[i] + (1-beta2)*gi*gi
		p[i] -= lr * (m[i] * c1) / (T(math.Sqrt(float64(v[i]*c2))) + eps)
	}
}
