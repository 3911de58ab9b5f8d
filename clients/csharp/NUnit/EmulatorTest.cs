// EmulatorTest: an NUnit base fixture. Each test gets an emulator whose world
// was just reset; one emulator serves every test of the run (started once
// per world and flags, stopped when the run ends), or the one at
// IMS_EMULATOR_URL. Only [SetUp] and [TearDown] are used, which NUnit 2.6,
// NUnit 3 and Unity's Test Framework share.
using System;
using System.Collections.Generic;
using System.Reflection;
using NUnit.Framework;

namespace ImsEmulator.NUnit
{
    public abstract class EmulatorTest
    {
        static readonly Dictionary<string, Emulator> Running = new Dictionary<string, Emulator>();
        static bool stopsAtExit;

        /// <summary>The world to start with (a fixture file); null: the built-in one.</summary>
        protected virtual string Fixture { get { return null; } }

        /// <summary>More serve flags, e.g. {"--status-cache", "delay"}.</summary>
        protected virtual string[] ServeArgs { get { return new string[0]; } }

        /// <summary>This test's emulator.</summary>
        protected Emulator Emulator { get; private set; }

        [SetUp]
        public void ResetTheEmulator()
        {
            Emulator = Shared(Fixture, ServeArgs);
            Emulator.Reset();
            Emulator.ClearFaults();
        }

        /// <summary>On a failed test, prints the journal's newest events.</summary>
        [TearDown]
        public void ShowTheJournalOfAFailedTest()
        {
            if (Emulator == null || !CurrentTestFailed()) return;
            try
            {
                Console.WriteLine("ims-emulator journal (newest events):\n" + Emulator.Journal(60));
            }
            catch (Exception e)
            {
                Console.WriteLine("ims-emulator journal could not be read: " + e.Message);
            }
        }

        // --- What the C++ harness offers, under these names ------------------

        protected SessionManagerClient SessionManager { get { return Emulator.SessionManager(); } }

        protected PayloadApiClient Payload(string payloadId) { return Emulator.Payload(payloadId); }

        protected void Advance(double seconds) { Emulator.Advance(seconds); }

        protected void AdvancePastStatusCache() { Emulator.AdvancePastStatusCache(); }

        /// <summary>Waits (moving the virtual clock) until done holds; fails the
        /// test naming what, with the world and the journal, when it does not.</summary>
        protected WorldState WaitUntil(string what, Func<WorldState, bool> done, WaitLimits limits = null)
        {
            return Failing(() => Emulator.WaitUntil(what, done, limits));
        }

        protected WorldState WaitForPayloadState(string payloadId, string state, WaitLimits limits = null)
        {
            return Failing(() => Emulator.WaitForPayloadState(payloadId, state, limits));
        }

        protected WorldState WaitForClientsToSee(string sessionId, string key, string value, WaitLimits limits = null)
        {
            return Failing(() => Emulator.WaitForClientsToSee(sessionId, key, value, limits));
        }

        static WorldState Failing(Func<WorldState> wait)
        {
            try
            {
                return wait();
            }
            catch (WaitTimeoutException e)
            {
                Assert.Fail(e.Message);
                return null;
            }
        }

        static Emulator Shared(string fixture, string[] args)
        {
            string key = (fixture ?? "") + "\n" + string.Join("\n", args);
            lock (Running)
            {
                Emulator emulator;
                if (!Running.TryGetValue(key, out emulator))
                {
                    emulator = Emulator.FromEnvironment(null, fixture, args);
                    Running[key] = emulator;
                }
                if (!stopsAtExit)
                {
                    stopsAtExit = true;
                    AppDomain.CurrentDomain.ProcessExit += (s, e) => StopAll();
                    AppDomain.CurrentDomain.DomainUnload += (s, e) => StopAll();
                }
                return emulator;
            }
        }

        static void StopAll()
        {
            lock (Running)
            {
                foreach (var emulator in Running.Values) emulator.Stop();
                Running.Clear();
            }
        }

        // NUnit 3 says Result.Outcome ("Failed", "Failed:Error"), NUnit 2.6
        // Result.Status ("Failed"): read whichever this NUnit has.
        static bool CurrentTestFailed()
        {
            object result = TestContext.CurrentContext.Result;
            PropertyInfo property = result.GetType().GetProperty("Outcome") ?? result.GetType().GetProperty("Status");
            object status = property == null ? null : property.GetValue(result, null);
            return status != null && status.ToString().StartsWith("Failed", StringComparison.Ordinal);
        }
    }
}
