/** The pure parts of the ops surface: Prometheus text of fleet numbers, route labels, listing parameters. */
import type { Request, Response } from 'express';
import { DURATION_BUCKETS_SECONDS, parseFleetHash, REALTIME_FACTOR_BUCKETS } from '@stream-server/fleet';
import { renderFleetMetrics } from '../src/metrics/fleet-exposition';
import { ROUTE_LABEL_LOCAL, routeLabel, UNMATCHED_ROUTE } from '../src/metrics/http-metrics';
import { parseJobListQuery } from '../src/services/queue-stats-service';

describe('renderFleetMetrics', () => {
  const text = renderFleetMetrics(
    parseFleetHash({
      'completed|aac': '3',
      'failed|mp3|timeout': '1',
      'duration|aac|0': '1',
      'duration|aac|2': '2',
      'duration_sum|aac': '3.25',
      'rtf|aac|9': '2',
      [`rtf|aac|${REALTIME_FACTOR_BUCKETS.length}`]: '1',
      'rtf_sum|aac': '2400',
    }),
  );
  const lines = text.split('\n');

  it('writes counters with HELP, TYPE and labels', () => {
    expect(lines).toContain('# TYPE stream_jobs_completed_total counter');
    expect(lines).toContain('stream_jobs_completed_total{codec="aac"} 3');
    expect(lines).toContain('stream_jobs_failed_total{codec="mp3",reason="timeout"} 1');
    expect(lines).toContain('# TYPE stream_job_retries_total counter');
  });

  it('writes histograms with cumulative buckets, +Inf, sum and count', () => {
    const buckets = lines.filter((line) => line.startsWith('stream_job_duration_seconds_bucket{codec="aac"'));
    expect(buckets).toHaveLength(DURATION_BUCKETS_SECONDS.length + 1);
    expect(buckets[0]).toBe('stream_job_duration_seconds_bucket{codec="aac",le="0.5"} 1');
    expect(buckets[1]).toBe('stream_job_duration_seconds_bucket{codec="aac",le="1"} 1');
    expect(buckets[2]).toBe('stream_job_duration_seconds_bucket{codec="aac",le="2"} 3');
    expect(buckets.at(-1)).toBe('stream_job_duration_seconds_bucket{codec="aac",le="+Inf"} 3');
    expect(lines).toContain('stream_job_duration_seconds_sum{codec="aac"} 3.25');
    expect(lines).toContain('stream_job_duration_seconds_count{codec="aac"} 3');
    expect(lines).toContain('stream_job_realtime_factor_bucket{codec="aac",le="1000"} 2');
    expect(lines).toContain('stream_job_realtime_factor_bucket{codec="aac",le="+Inf"} 3');
    expect(lines).toContain('# TYPE stream_job_realtime_factor histogram');
  });

  it('writes only HELP and TYPE when nothing happened yet', () => {
    const empty = renderFleetMetrics(parseFleetHash({}))
      .split('\n')
      .filter((line) => line !== '');
    expect(empty.every((line) => line.startsWith('# '))).toBe(true);
    expect(empty).toHaveLength(10);
  });
});

describe('routeLabel', () => {
  const request = (route: unknown, baseUrl = ''): Request => {
    const req = Object.create(null) as Record<string, unknown>;
    req['route'] = route;
    req['baseUrl'] = baseUrl;
    return req as unknown as Request;
  };

  const response = (locals: Record<string, unknown> = {}): Response => ({ locals }) as unknown as Response;

  it('is the matched route pattern with its mount path, never the URL', () => {
    expect(routeLabel(request({ path: '/v1/stream/job/:id' }), response())).toBe('/v1/stream/job/:id');
    expect(routeLabel(request({ path: '/api/queues' }, '/admin/queues'), response())).toBe('/admin/queues/api/queues');
  });

  it('is the label a mounted sub-app set, else one fixed label when no route matched', () => {
    expect(routeLabel(request(undefined), response({ [ROUTE_LABEL_LOCAL]: '/admin/queues/*' }))).toBe(
      '/admin/queues/*',
    );
    expect(routeLabel(request(undefined), response())).toBe(UNMATCHED_ROUTE);
    expect(routeLabel(request({ path: /regex/ }), response())).toBe(UNMATCHED_ROUTE);
  });
});

describe('parseJobListQuery', () => {
  it('defaults to 20 of every state', () => {
    expect(parseJobListQuery({})).toEqual({ limit: 20 });
  });

  it('takes a limit from 1 to 100 and one known state', () => {
    expect(parseJobListQuery({ limit: '1', state: 'failed' })).toEqual({ limit: 1, state: 'failed' });
    expect(parseJobListQuery({ limit: '100', state: 'waiting' })).toEqual({ limit: 100, state: 'waiting' });
  });

  it.each([
    [{ limit: '0' }, 'INVALID_LIMIT'],
    [{ limit: '101' }, 'INVALID_LIMIT'],
    [{ limit: '-1' }, 'INVALID_LIMIT'],
    [{ limit: '1.5' }, 'INVALID_LIMIT'],
    [{ limit: ['1', '2'] }, 'INVALID_LIMIT'],
    [{ state: 'Completed' }, 'INVALID_STATE'],
    [{ state: ['active'] }, 'INVALID_STATE'],
    [{ state: 'prioritized' }, 'INVALID_STATE'],
  ])('refuses %j with %s', (query, code) => {
    expect(() => parseJobListQuery(query)).toThrow(expect.objectContaining({ code, kind: 'invalid-input' }));
  });
});
