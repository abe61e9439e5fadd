import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Sparkline } from './Sparkline';

function shapes() {
  const svg = screen.getByRole('img');
  return { lines: svg.querySelectorAll('polyline').length, dots: screen.queryAllByTestId('sparkline-dot').length };
}

describe('Sparkline', () => {
  it('draws a one-point series as a dot (a polyline of one point draws nothing)', () => {
    render(<Sparkline values={[4]} label="one" />);
    expect(shapes()).toEqual({ lines: 0, dots: 1 });
  });

  it('draws runs as lines and lone values between gaps as dots', () => {
    render(<Sparkline values={[1, 2, null, 5, null, null, 3, 4, 2]} label="gaps" />);
    expect(shapes()).toEqual({ lines: 2, dots: 1 });
  });

  it('draws nothing for an empty series', () => {
    render(<Sparkline values={[]} label="empty" />);
    expect(shapes()).toEqual({ lines: 0, dots: 0 });
  });
});
